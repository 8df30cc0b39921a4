package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link ChildPoolMain}: a pool in another JVM, on a tempRoot or on a Selenium Grid. Its
 * stdout is read line by line; its stderr is kept in a file and shown when something fails.
 */
public final class ChildPool implements AutoCloseable {
  private static final String EOF = "\0EOF";
  /** One of the child's browsers as it reported it: pid and dir are -1 and null for a Grid session. */
  public record Browser(String id, long pid, Path dir) {}

  public final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildPool(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the child was killed
      } finally {
        lines.add(EOF);
      }
    }, "child-pool-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a child whose pool runs on {@code tempRootOrGridUrl} and holds {@code leases} leases. */
  public static ChildPool start(int leases, String poolName, String tempRootOrGridUrl) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path err = Files.createTempFile("bp-e2e-child-", ".log");
    Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"),
        ChildPoolMain.class.getName(), Integer.toString(leases), poolName, tempRootOrGridUrl)
        .redirectError(err.toFile())
        .start();
    return new ChildPool(p, err);
  }

  /** Reads the child's BROWSER lines until READY, waiting at most {@code perLine} for each. */
  public List<Browser> awaitReady(Duration perLine) throws Exception {
    List<Browser> out = new ArrayList<>();
    while (true) {
      String line = next(perLine);
      if (line.equals("READY")) {
        return out;
      }
      String[] f = line.split(" ", 4);
      if (f.length != 4 || !f[0].equals("BROWSER")) {
        throw fail("unexpected line from the child: " + line);
      }
      out.add(new Browser(f[1], Long.parseLong(f[2]), f[3].equals("null") ? null : Path.of(f[3])));
    }
  }

  /** kill -9: no shutdown hook runs, nothing is closed. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the child JVM did not die");
    }
  }

  /** Tells the child to close its pool, and checks that it says CLOSED and exits 0. */
  public void finish() throws Exception {
    OutputStream in = process.getOutputStream();
    in.write("close\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    assertThat(next(Duration.ofSeconds(30))).isEqualTo("CLOSED");
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw fail("the child did not exit");
    }
    assertThat(process.exitValue()).as("child exit code").isZero();
  }

  private String next(Duration timeout) throws Exception {
    String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null || line.equals(EOF)) {
      throw fail(line == null ? "no output from the child within " + timeout : "the child's stdout ended");
    }
    return line;
  }

  private AssertionError fail(String what) throws IOException {
    return new AssertionError(what + "; its stderr:\n" + Files.readString(stderr));
  }

  /**
   * Closes the child's pool when it still runs (EOF on its stdin: it closes its leases and pool, so it
   * deletes its sessions and kills its browsers), else only waits for it; kills it if it hangs.
   */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // it is dying anyway
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    process.waitFor(30, TimeUnit.SECONDS);
    Files.deleteIfExists(stderr);
  }
}
