package io.github.browserpool.e2e;

import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client JVM for the tests that need a pool in another process ({@link ChildPool} runs it):
 * {@code ChildPoolMain <leases> <poolName> <tempRoot | Grid URL>} starts a pool on that tempRoot (local
 * Chromium) or on that Selenium Grid, holds that many leases (each with a page on about:blank), prints
 * {@code BROWSER <browserId> <pid> <userDataDir>} per lease and then {@code READY}. It then waits for a
 * line (or EOF) on stdin, closes everything, prints {@code CLOSED} and exits 0. The test may instead
 * kill it at any time.
 */
public final class ChildPoolMain {
  private ChildPoolMain() {}

  public static void main(String[] args) throws Exception {
    int leases = Integer.parseInt(args[0]);
    PoolConfig.Builder config = PoolConfig.builder().maxContextsPerBrowser(1).poolName(args[1]).maxBrowsers(leases)
        .acquireTimeout(Duration.ofSeconds(60));
    if (args[2].startsWith("http://") || args[2].startsWith("https://")) {
      config.seleniumGrid(URI.create(args[2]));
    } else {
      config.tempRoot(Path.of(args[2]));
    }
    BrowserPool pool = BrowserPool.start(config.build());
    List<BrowserLease> held = new ArrayList<>();
    for (int i = 0; i < leases; i++) {
      BrowserLease lease = pool.acquire();
      held.add(lease);
      Pages.navigate(lease.newPage(), "about:blank", Duration.ofSeconds(30));
      System.out.println("BROWSER " + lease.browserId() + " " + lease.browserPid() + " " + lease.userDataDir());
    }
    System.out.println("READY");
    System.out.flush();

    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    held.forEach(BrowserLease::close);
    pool.close();
    System.out.println("CLOSED");
    System.out.flush();
    System.exit(0);
  }
}
