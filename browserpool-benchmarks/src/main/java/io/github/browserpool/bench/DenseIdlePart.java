package io.github.browserpool.bench;

import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Dense part 5 (9i-9k): the processes of an idle pool of one browser against a bare Chromium. */
final class DenseIdlePart implements DenseMeasure.Part {
  static final String M_IDLE = "dense idle procs";
  static final String M_IDLE_RENDERERS = "dense idle renderers";
  static final String M_IDLE_PREPARED = "dense idle prepared";
  static final String BARE = "bare headless shell, the pool's switches, no page";
  static final String BARE_CHROMIUM = "bare chromium, the pool's switches, no page";

  /** The bare browser of {@code b}: the reference of the pool's columns on that binary. */
  static String bareName(BrowserBinary b) {
    return b == BrowserBinary.HEADLESS_SHELL ? BARE : BARE_CHROMIUM;
  }

  private final BenchRun run;
  private final DensePools pools;

  DenseIdlePart(BenchRun run, DensePools pools) {
    this.run = run;
    this.pools = pools;
  }

  @Override
  public void run(Site site) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(BARE, () -> bare(BrowserBinary.HEADLESS_SHELL));
    c.put(BARE_CHROMIUM, () -> bare(BrowserBinary.CHROMIUM));
    for (DensePools.Column k : pools.columns()) {
      c.put(k.name(), () -> browserpool(k));
    }
    run.turns().isolated(M_IDLE, 1, c);
  }

  private double bare(BrowserBinary b) throws Exception {
    try (RawChrome raw = run.env().raw(b)) {
      Set<Long> tree = settled(raw.pid(), raw.dir);
      run.results().add(M_IDLE_RENDERERS, bareName(b), (double) renderers(tree));
      run.results().note(M_IDLE, bareName(b), "(" + kinds(tree) + ")");
      return (double) tree.size();
    }
  }

  /** A pool of one browser after a few leases came and went: its settled process tree. */
  private double browserpool(DensePools.Column column) {
    String name = column.name();
    try (BrowserPool bp = BrowserPool.start(pools.config(column, column.contexts()).build())) {
      long pid;
      Path dir;
      for (int i = 0; i < 3; i++) { // warm-up: launch, then a few leases come and go
        try (BrowserLease l = bp.acquire()) {
          Leases.eval1(l.newPage());
        }
      }
      try (BrowserLease l = bp.acquire()) {
        Leases.eval1(l.newPage());
        pid = l.browserPid();
        dir = l.userDataDir();
      }
      Set<Long> tree = settled(pid, dir);
      run.results().add(M_IDLE_RENDERERS, name, (double) renderers(tree));
      run.results().add(M_IDLE_PREPARED, name, (double) bp.stats().preparedContexts());
      List<BrowserInfo> infos = bp.browsers();
      if (infos.size() != 1 || infos.get(0).activeLeases() != 0) {
        throw new IllegalStateException("expected one idle browser, got " + infos);
      }
      run.results().note(M_IDLE, name, "(" + kinds(tree) + "; pool's own count: " + infos.get(0).processCount() + ")");
      return (double) tree.size();
    }
  }

  /** The live tree once its size has not changed for 2 s (at most 15 s), sampled every 250 ms. */
  static Set<Long> settled(long pid, Path dir) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Set<Long> last = new LinkedHashSet<>(ProcessTable.alive(ProcessTable.tree(pid, dir)));
    long stableSince = System.nanoTime();
    while (System.nanoTime() - deadline < 0 && System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(2)) {
      Procs.sleep(250);
      Set<Long> now = new LinkedHashSet<>(ProcessTable.alive(ProcessTable.tree(pid, dir)));
      if (!now.equals(last)) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    return last;
  }

  /** The processes of a tree by Chromium's --type= (main for none), e.g. "main 1, renderer 3, zygote 2". */
  static String kinds(Set<Long> tree) {
    Map<String, Integer> n = new TreeMap<>();
    for (long p : tree) {
      String type = "main";
      for (String a : Procs.cmdline(p).split(" ")) {
        if (a.startsWith("--type=")) {
          type = a.substring("--type=".length());
        } else if (a.startsWith("--utility-sub-type=")) {
          type = "utility " + a.substring("--utility-sub-type=".length()).replaceAll("^.*\\.", "");
        }
      }
      n.merge(type, 1, Integer::sum);
    }
    return n.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static int renderers(Set<Long> tree) {
    return (int) tree.stream().filter(p -> Procs.cmdline(p).contains("--type=renderer")).count();
  }

  @Override
  public void report(Tables t) {
    List<String> cols = Cols.of(List.of(BARE, BARE_CHROMIUM), pools.names());
    t.table("9i. Processes of an idle pool of one browser, after warm-up", M_IDLE, cols, BARE, false, null);
    t.table("9j. Renderer processes in it", M_IDLE_RENDERERS, cols, null, false, null);
    t.table("9k. Prepared contexts in it (PoolStats.preparedContexts())", M_IDLE_PREPARED, pools.names(), null,
        false, null);
  }
}
