package io.counterfact.engine.linalg;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * This JVM's HotSpot options ({@code -XX:...}), for the engine's choice of kernels: whether C2 runs (the Vector API
 * kernels, {@link Gram}) and whether {@link Math#fma} is one instruction (the IPW pass). Read once by each caller.
 */
public final class VmOptions {

    private VmOptions() {
    }

    /** The value of {@code -XX:name}, or null when this JVM cannot tell (not HotSpot, or no such option). */
    public static String value(String name) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null ? null : vm.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
