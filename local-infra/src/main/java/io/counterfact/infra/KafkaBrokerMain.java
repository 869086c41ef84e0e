package io.counterfact.infra;

/**
 * Entry point of the forked broker JVM: runs {@code kafka.Kafka} and exits when the parent process dies, so that a
 * killed test run or a killed ./run.sh never leaves a broker behind.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)),
                () -> Runtime.getRuntime().halt(0));
        Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {args[1]});
    }
}
