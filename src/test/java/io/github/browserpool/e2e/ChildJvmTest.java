package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.ProcessInfo;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pools in other JVMs ({@link ChildPoolMain}): a JVM killed with its browsers, and two live JVMs on one tempRoot. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class ChildJvmTest {
  private static final Duration LOAD = Duration.ofSeconds(30);

  @Test
  void killedJvmTakesItsBrowsersWithItAndTheNextPoolSweepsTheirDirs(Path tempRoot) throws Exception {
    try (Child child = Child.start(3, tempRoot)) {
      List<Browser> browsers = child.awaitReady();
      assertThat(browsers).hasSize(3);
      // Every process of the child's browsers, crashpad handlers and zygotes included, but not the child JVM.
      List<Long> pids = Procs.referencing(tempRoot).stream().map(ProcessInfo::pid)
          .filter(p -> p != child.process.pid()).toList();
      assertThat(pids).containsAll(browsers.stream().map(Browser::pid).toList());
      assertThat(Procs.profileDirs(tempRoot)).hasSize(3);

      child.process.destroyForcibly();
      assertThat(child.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // No help from this JVM: each browser must notice by itself that its CDP pipe closed.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
          Procs.alive(pids).isEmpty() && Procs.referencing(tempRoot).isEmpty());
      assertThat(Procs.profileDirs(tempRoot)).as("dirs of a killed JVM wait for the next sweep").hasSize(3);
    }
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName("sweeper").tempRoot(tempRoot).build())) {
      assertThat(pool.stats().sweptDirs()).isEqualTo(3);
      assertThat(Procs.profileDirs(tempRoot)).isEmpty();
    }
  }

  @Test
  void poolsStartedInThisJvmLeaveALiveChildJvmsBrowserAlone(Path tempRoot) throws Exception {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>parent</title></head></html>"));
    String url = Pages.url(server, "/");
    try (Child child = Child.start(1, tempRoot)) {
      List<Browser> browsers = child.awaitReady();
      assertThat(browsers).hasSize(1);
      Browser theirs = browsers.get(0);

      // Round 1: one pool, started and closed.
      try (BrowserPool pool = startPool("parent-1", tempRoot); BrowserLease lease = pool.acquire()) {
        assertThat(pool.stats().sweptDirs()).isZero();
        assertThat(pool.stats().sweptProcesses()).isZero();
        assertNavigates(lease.newPage(), url);
        assertIntact(theirs);
      }
      assertIntact(theirs);

      // Round 2: a pool started while another pool of this JVM holds a live lease (its sweep must skip both).
      try (BrowserPool pool = startPool("parent-2", tempRoot); BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        assertNavigates(page, url);
        try (BrowserPool nested = startPool("parent-3", tempRoot); BrowserLease other = nested.acquire()) {
          assertThat(nested.stats().sweptDirs()).isZero();
          assertNavigates(other.newPage(), url);
        }
        assertThat(lease.userDataDir()).isDirectory();
        assertThat(Procs.isAlive(lease.browserPid())).isTrue();
        assertNavigates(page, url);
        assertIntact(theirs);
      }
      assertIntact(theirs);

      child.finish();
      assertThat(Procs.isAlive(theirs.pid())).isFalse();
      assertThat(theirs.dir()).doesNotExist();
    } finally {
      server.stop(0);
    }
  }

  private static BrowserPool startPool(String name, Path tempRoot) {
    return BrowserPool.start(PoolConfig.builder().poolName(name).tempRoot(tempRoot).build());
  }

  private static void assertNavigates(ChromeDevToolsService page, String url) {
    Pages.navigate(page, url, LOAD);
    assertThat(Pages.title(page)).isEqualTo("parent");
  }

  private static void assertIntact(Browser b) {
    assertThat(Procs.isAlive(b.pid())).as("the child JVM's browser is alive").isTrue();
    assertThat(b.dir()).as("the child JVM's profile dir").isDirectory();
  }

  /** A browser of the child JVM, as it reported it. */
  record Browser(long pid, Path dir) {}

  /** A running {@link ChildPoolMain}, its stdout read line by line, its stderr kept in a file for failures. */
  private static final class Child implements AutoCloseable {
    private static final String EOF = "\0EOF";
    final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(Process process, Path stderr) {
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
      }, "child-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(int leases, Path tempRoot) throws IOException {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Path err = Files.createTempFile("bp-e2e-child-", ".log");
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          ChildPoolMain.class.getName(), Integer.toString(leases), tempRoot.toString())
          .redirectError(err.toFile())
          .start();
      return new Child(p, err);
    }

    /** Reads the child's BROWSER lines until READY. */
    List<Browser> awaitReady() throws Exception {
      List<Browser> out = new ArrayList<>();
      while (true) {
        String line = next(Duration.ofSeconds(60));
        if (line.equals("READY")) {
          return out;
        }
        String[] f = line.split(" ", 3);
        if (f.length != 3 || !f[0].equals("BROWSER")) {
          throw fail("unexpected line from the child: " + line);
        }
        out.add(new Browser(Long.parseLong(f[1]), Path.of(f[2])));
      }
    }

    /** Tells the child to close its pool, and checks that it says CLOSED and exits 0. */
    void finish() throws Exception {
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

    @Override
    public void close() throws Exception {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      process.waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(stderr);
    }
  }
}
