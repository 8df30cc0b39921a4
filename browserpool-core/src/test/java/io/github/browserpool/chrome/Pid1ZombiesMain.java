package io.github.browserpool.chrome;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.PoolConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class for {@link Pid1ZombiesTest}, meant to run as PID 1 of its own PID namespace: closes
 * {@code args[1]} browsers through a pool (every lease retires its browser; a quarter of them are
 * killed with SIGKILL mid-lease), closes the pool, then prints "ZOMBIES n" (processes in state Z in the
 * namespace) followed by one "Z ..." line each, and "DONE".
 */
public final class Pid1ZombiesMain {
  private Pid1ZombiesMain() {}

  public static void main(String[] args) throws Exception {
    Path tempRoot = Path.of(args[0]);
    int closes = Integer.parseInt(args[1]);
    int crashEvery = 4;
    System.out.println("PID " + ProcessHandle.current().pid());
    System.out.flush();
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(1).poolName("pid1").tempRoot(tempRoot).maxBrowsers(2)
        .maxLeasesPerBrowser(1).build();
    int crashed = 0;
    try (BrowserPool pool = BrowserPool.start(config)) {
      for (int i = 0; i < closes; i++) {
        try (BrowserLease lease = pool.acquire()) {
          ChromeDevToolsService page = lease.newPage();
          page.getRuntime().evaluate("1 + 1");
          if (i % crashEvery == crashEvery - 1) {
            ProcessHandle.of(lease.browserPid()).ifPresent(ProcessHandle::destroyForcibly);
            crashed++;
          }
        } catch (BrowserPoolException expected) {
          // the killed browser's lease
        }
      }
      System.out.println("STATS " + pool.stats());
    }
    List<String> zombies = new ArrayList<>();
    for (long pid : ProcFs.pids()) {
      ProcFs.Stat s = ProcFs.stat(pid);
      if (s != null && s.state() == 'Z') {
        zombies.add("Z pid " + pid + " ppid " + s.ppid() + " " + ProcFs.cmdline(pid));
      }
    }
    System.out.println("CLOSES " + closes + " CRASHED " + crashed);
    System.out.println("ZOMBIES " + zombies.size());
    zombies.forEach(System.out::println);
    System.out.println("DONE");
    System.out.flush();
    System.exit(0);
  }
}
