package io.github.browserpool.e2e.grid;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A running {@link GridChildMain}: its stdout read line by line, its stderr kept in a file for failures. */
final class GridChild implements AutoCloseable {
  private static final String EOF = "\0EOF";
  final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private GridChild(Process process, Path stderr) {
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
    }, "grid-child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static GridChild start(URI grid, int leases, String poolName) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path err = Files.createTempFile("bp-grid-child-", ".log");
    Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        GridChildMain.class.getName(), grid.toString(), Integer.toString(leases), poolName)
        .redirectError(err.toFile())
        .start();
    return new GridChild(p, err);
  }

  /** Reads the child's SESSION lines until READY. */
  List<String> awaitSessions() throws Exception {
    List<String> out = new ArrayList<>();
    while (true) {
      String line = next(Duration.ofSeconds(90));
      if (line.equals("READY")) {
        return out;
      }
      if (!line.startsWith("SESSION ")) {
        throw fail("unexpected line from the child: " + line);
      }
      out.add(line.substring("SESSION ".length()));
    }
  }

  /** kill -9: no shutdown hook runs, nothing is closed. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the child JVM did not die");
    }
  }

  /** Tells the child to close its pool, and waits for CLOSED and exit 0. */
  void finish() throws Exception {
    OutputStream in = process.getOutputStream();
    in.write("close\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    String line = next(Duration.ofSeconds(30));
    if (!line.equals("CLOSED") || !process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw fail("the child did not close cleanly (" + line + ")");
    }
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

  /** Closes the child's pool when it is still running (so it deletes its sessions), else kills it. */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      try {
        process.getOutputStream().close(); // EOF on stdin: the child closes its pool and exits
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
