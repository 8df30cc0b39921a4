package io.github.browserpool.e2e.grid;

import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.e2e.Pages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client JVM for the Grid tests: {@code GridChildMain <gridUrl> <leases> <poolName>} starts a pool on
 * the Grid, holds that many leases (each with a page on about:blank), prints {@code SESSION <id>} per
 * lease and then {@code READY}. It then waits for a line (or EOF) on stdin, closes everything, prints
 * {@code CLOSED} and exits 0. The test may instead kill it with {@code kill -9} at any time.
 */
public final class GridChildMain {
  private GridChildMain() {}

  public static void main(String[] args) throws Exception {
    URI grid = URI.create(args[0]);
    int leases = Integer.parseInt(args[1]);
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName(args[2]).seleniumGrid(grid)
        .maxBrowsers(leases).acquireTimeout(Duration.ofSeconds(60)).build());
    List<BrowserLease> held = new ArrayList<>();
    for (int i = 0; i < leases; i++) {
      BrowserLease lease = pool.acquire();
      held.add(lease);
      Pages.navigate(lease.newPage(), "about:blank", Duration.ofSeconds(30));
      System.out.println("SESSION " + lease.browserId());
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
