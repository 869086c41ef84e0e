package io.counterfact.engine.iv;

import io.counterfact.engine.EstimationSpec;
import io.counterfact.engine.InvalidSpecException;
import io.counterfact.engine.data.ColumnType;
import io.counterfact.engine.data.DataFrame;
import io.counterfact.engine.data.DesignMatrix;
import io.counterfact.engine.data.DesignMatrix.Term;
import io.counterfact.engine.linalg.Cholesky;
import io.counterfact.engine.linalg.RankDeficientException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the facade's IV methods share: the request checks and the design's roles as {@link Regressors}. */
final class IvDesign {

    /** Request field (and design group) of the excluded instruments. */
    static final String INSTRUMENTS = "instruments";
    /** Request field (and design group) of the further endogenous regressors. */
    static final String ENDOGENOUS = "endogenous";

    private IvDesign() {
    }

    /**
     * The complete rows of every column the model uses (rows missing an instrument are dropped and
     * counted like any other), categorical columns one-hot. The instruments stay out of the joint
     * rank check: one may reproduce the treatment exactly (full compliance), which is no defect,
     * and {@link TwoStageLeastSquares} checks [1, controls, instruments] itself, naming the columns.
     */
    static DesignMatrix build(DataFrame data, EstimationSpec spec, String method) {
        return builder(data, spec, method).build();
    }

    /**
     * As {@link #build}, without the design matrix's joint rank check of [1, treatment, covariates,
     * endogenous]: for a fit that checks them itself ({@link #collinearityCheck}, on the cross-products it
     * forms anyway) instead of one more Gram pass over the whole design.
     */
    static DesignMatrix buildRankCheckedByFit(DataFrame data, EstimationSpec spec, String method) {
        return builder(data, spec, method).rankCheckedByModels().build();
    }

    private static DesignMatrix.Builder builder(DataFrame data, EstimationSpec spec, String method) {
        return DesignMatrix.builder(data).treatment(spec.treatment(), false, method).outcome(spec.outcome())
                .covariates(spec.covariates()).group(ENDOGENOUS, spec.endogenous())
                .groupOutsideRankCheck(INSTRUMENTS, spec.instruments());
    }

    /**
     * The check the design matrix leaves to the fit ({@link #buildRankCheckedByFit}): the Gram matrix of
     * [1, treatment, covariates, endogenous] factorised, and a rank deficiency reported exactly as the
     * design matrix reports it (the column, its partners, its field).
     */
    static TwoStageLeastSquares.DesignCheck collinearityCheck(DesignMatrix dm) {
        return gram -> {
            try {
                Cholesky.of(gram);
            } catch (RankDeficientException e) {
                // the columns only on this error path: the message weighs each partner by its spread
                List<double[]> cols = new ArrayList<>();
                List<Term> terms = new ArrayList<>();
                double[] ones = new double[dm.n()];
                java.util.Arrays.fill(ones, 1.0);
                cols.add(ones);
                terms.add(Term.INTERCEPT);
                cols.add(dm.treatment());
                terms.add(dm.treatmentTerm());
                cols.addAll(java.util.Arrays.asList(dm.covariates()));
                terms.addAll(dm.covariateTerms());
                cols.addAll(java.util.Arrays.asList(dm.group(ENDOGENOUS)));
                terms.addAll(dm.groupTerms(ENDOGENOUS));
                throw DesignMatrix.collinearity(e, cols.toArray(new double[0][]), terms,
                        "in the " + dm.n() + " rows used");
            }
        };
    }

    /** The treatment first, then the further endogenous regressors. */
    static Regressors endogenous(DesignMatrix dm) {
        List<String> names = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        List<double[]> cols = new ArrayList<>();
        names.add(dm.treatmentTerm().name());
        fields.add("treatment");
        cols.add(dm.treatment());
        double[][] more = dm.group(ENDOGENOUS);
        List<Term> terms = dm.groupTerms(ENDOGENOUS);
        for (int j = 0; j < more.length; j++) {
            names.add(terms.get(j).name());
            fields.add(terms.get(j).field());
            cols.add(more[j]);
        }
        return new Regressors(names, cols.toArray(new double[0][]), fields);
    }

    /** The exogenous controls (the request's covariates). */
    static Regressors exogenous(DesignMatrix dm) {
        return of(dm.covariates(), dm.covariateTerms());
    }

    /** The excluded instruments. */
    static Regressors instruments(DesignMatrix dm) {
        return of(dm.group(INSTRUMENTS), dm.groupTerms(INSTRUMENTS));
    }

    private static Regressors of(double[][] columns, List<Term> terms) {
        List<String> names = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (Term t : terms) {
            names.add(t.name());
            fields.add(t.field());
        }
        return new Regressors(names, columns, fields);
    }

    /** At least one excluded instrument. */
    static void requireInstruments(EstimationSpec spec) {
        if (spec.instruments().isEmpty()) {
            throw new InvalidSpecException(INSTRUMENTS, "Method '" + spec.method() + "' needs an excluded instrument: "
                    + "name in instruments a column that moves the treatment '" + spec.treatment()
                    + "' and reaches the outcome only through it");
        }
    }

    /**
     * The order condition where the schema decides it: without categorical columns (whose dummies
     * are counted only on the data) each instrument and each endogenous regressor is one column.
     */
    static void requireOrderCondition(Map<String, ColumnType> schema, EstimationSpec spec) {
        for (String c : spec.instruments()) {
            if (schema.get(c) == ColumnType.CATEGORICAL) {
                return;
            }
        }
        int endogenous = 1 + spec.endogenous().size();
        int instruments = spec.instruments().size();
        if (instruments < endogenous) {
            List<String> regressors = new ArrayList<>();
            regressors.add(spec.treatment());
            regressors.addAll(spec.endogenous());
            throw new InvalidSpecException(INSTRUMENTS, "The model is not identified: " + instruments + " instrument"
                    + (instruments == 1 ? "" : "s") + " (" + String.join(", ", spec.instruments()) + ") for "
                    + endogenous + " endogenous regressors (" + String.join(", ", regressors)
                    + "); give at least one instrument per endogenous regressor");
        }
    }
}
