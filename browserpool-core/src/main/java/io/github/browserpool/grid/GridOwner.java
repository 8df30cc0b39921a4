package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The owner label on every Grid session the pool creates (capability {@code browserpool:owner}), as
 * Testcontainers labels its containers: the host, the PID and start time of the JVM, the pool's name,
 * and one id per session request.
 *
 * <p>The startup sweep decides from the label alone whether an owner is dead: only when it ran on this
 * machine ({@code machine}: the kernel's boot id and the PID namespace, so a PID means the same process
 * here) and that PID is gone or now belongs to a process started at another time. A session without a
 * label, with a label from another machine, or whose owner is alive is never touched.
 */
final class GridOwner {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ProcessHandle SELF = ProcessHandle.current();
  static final String HOST = hostName();
  static final String MACHINE = machineId();
  static final String START = startOf(SELF).orElse("");

  private GridOwner() {}

  /** The label for one session request of {@code poolName}. */
  static ObjectNode label(String poolName, String requestId) {
    return JSON.objectNode()
        .put("host", HOST)
        .put("machine", MACHINE)
        .put("pid", SELF.pid())
        .put("start", START)
        .put("pool", poolName)
        .put("request", requestId);
  }

  /** Whether {@code label} names an owner on this machine that is dead; false when in any doubt. */
  static boolean isDeadOwnerOnThisMachine(JsonNode label) {
    if (label == null || !label.isObject() || MACHINE.isEmpty()) {
      return false;
    }
    if (!MACHINE.equals(label.path("machine").asText(null)) || !label.path("pid").canConvertToLong()) {
      return false;
    }
    long pid = label.path("pid").asLong();
    String start = label.path("start").asText("");
    if (start.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return true;
    }
    Optional<String> actual = startOf(process.get());
    return actual.isPresent() && !actual.get().equals(start); // the PID was reused
  }

  /** Whether {@code label} names this JVM. */
  static boolean isThisJvm(JsonNode label) {
    return label != null && MACHINE.equals(label.path("machine").asText(null))
        && label.path("pid").asLong(-1) == SELF.pid() && START.equals(label.path("start").asText(null));
  }

  private static Optional<String> startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toString);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      String env = System.getenv("HOSTNAME");
      return env != null ? env : "unknown";
    }
  }

  /**
   * The kernel's boot id plus this process's PID namespace: two JVMs with equal values see the same
   * PIDs. Empty where /proc does not tell (then no label is ever judged dead).
   */
  private static String machineId() {
    try {
      String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
      String pidNs = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      return boot + "/" + pidNs;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
