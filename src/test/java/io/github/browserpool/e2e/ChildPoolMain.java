package io.github.browserpool.e2e;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link ChildJvmTest}: {@code ChildPoolMain <leases> <tempRoot>} starts a pool on
 * tempRoot, holds that many leases (each navigated to about:blank), prints {@code BROWSER <pid> <dir>}
 * per lease and then {@code READY}. It then waits for a line (or EOF) on stdin, closes everything,
 * prints {@code CLOSED} and exits 0. The parent may instead kill it at any time.
 */
public final class ChildPoolMain {
  private ChildPoolMain() {}

  public static void main(String[] args) throws Exception {
    int leases = Integer.parseInt(args[0]);
    Path tempRoot = Path.of(args[1]);
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName("child").tempRoot(tempRoot)
        .maxBrowsers(leases).build());
    List<BrowserLease> held = new ArrayList<>();
    for (int i = 0; i < leases; i++) {
      BrowserLease lease = pool.acquire();
      held.add(lease);
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, "about:blank", Duration.ofSeconds(30));
      System.out.println("BROWSER " + lease.browserPid() + " " + lease.userDataDir());
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
