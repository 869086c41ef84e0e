package io.counterfact.engine.po;

import com.fasterxml.jackson.databind.JsonNode;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.testing.Frames;
import io.counterfact.engine.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.counterfact.engine.testing.Reference.assertClose;

/** The AIPW outcome models' coefficients against the references. */
class OutcomeModelReferenceTest {

    @Test
    void armWiseOutcomeCoefficients() {
        DataFrame nsw = Frames.nsw();
        DesignMatrix dm = DesignMatrix.builder(nsw).treatment("treat", true, "aipw").outcome("re78")
                .covariates(Arrays.asList(Reference.NSW_COVARIATES)).build();
        List<DesignMatrix.Term> terms = dm.terms(true, false);
        double[][] b = AugmentedIpw.armCoefficients(dm.interceptAndCovariates(), dm.treatment(), dm.outcome(), terms);
        for (JsonNode ref : Reference.nswReferences()) {
            JsonNode a = ref.get("aipw");
            for (int j = 0; j < terms.size(); j++) {
                String term = terms.get(j).name();
                assertClose(a.get("outcome_coef_treated").get(term).asDouble(), b[0][j], "treated " + term);
                assertClose(a.get("outcome_coef_control").get(term).asDouble(), b[1][j], "control " + term);
            }
        }
    }
}
