package io.counterfact.engine.po;

import io.counterfact.engine.linalg.VmOptions;

/**
 * a·b + c for the accumulations of this package's scalar passes: one fused instruction when the JVM
 * compiles {@link Math#fma} to the processor's FMA ({@code -XX:+UseFMA}, the default where the processor
 * has it), else the separate multiply and add. {@code Math.fma} without hardware support falls back to
 * exact arithmetic in software, hundreds of times slower, so it is used only when the JVM says it is
 * intrinsic. The choice is a constant of the JVM, so a result does not depend on the number of threads;
 * the fused form rounds once instead of twice.
 */
final class FusedMultiplyAdd {

    /** Whether {@link Math#fma} runs as one instruction in this JVM (false when it cannot be told). */
    static final boolean HARDWARE = hardware();

    private FusedMultiplyAdd() {
    }

    /** a·b + c. With {@link #HARDWARE} a JIT-time constant, the branch is compiled away. */
    static double madd(double a, double b, double c) {
        return HARDWARE ? Math.fma(a, b, c) : a * b + c;
    }

    private static boolean hardware() {
        // not HotSpot, or no such flag (null): the plain form is always safe
        return Boolean.parseBoolean(VmOptions.value("UseFMA"));
    }
}
