package io.github.browserpool.chrome;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM running a main class from the test classpath, with its stdout lines readable one at a time. */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";

  final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // Child gone.
      }
      lines.add(EOF);
    }, "child-jvm-stdout-" + process.pid());
    t.setDaemon(true);
    t.start();
  }

  /** Starts {@code main} in a new JVM with this JVM's classpath; its stderr goes to {@code stderrLog}. */
  static ChildJvm start(Class<?> main, Path stderrLog, String... args) throws IOException {
    return start(List.of(), main, stderrLog, args);
  }

  /** As {@link #start(Class, Path, String...)}, with the java command run through {@code launcher} (e.g. unshare). */
  static ChildJvm start(List<String> launcher, Class<?> main, Path stderrLog, String... args) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(List.of(java, "-cp", cp, main.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(stderrLog.toFile());
    return new ChildJvm(pb.start());
  }

  /** Returns the next stdout line starting with {@code prefix}, skipping others; fails on timeout or exit. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("child JVM printed no line starting with '" + prefix + "' within " + timeout);
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        throw new AssertionError("child JVM exited before printing '" + prefix + "'");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Kills the child JVM with SIGKILL (it started it, so the test may end it) and waits for it to be reaped. */
  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }
}
