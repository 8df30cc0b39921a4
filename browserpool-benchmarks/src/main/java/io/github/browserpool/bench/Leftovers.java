package io.github.browserpool.bench;

import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.ProcessTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the contenders leave behind in the run's temp dir, per turn and at the end, and what cdt's own
 * launcher left: each entry is removed and counted, and the counts go into results.md.
 */
final class Leftovers {
  private final Path tmp;
  private final Set<String> atStart;
  private final Map<String, List<String>> leftBy = new LinkedHashMap<>();
  /** Profile dirs cdt's ChromeLauncher.close() left behind (removed by {@link CdtBrowser}). */
  final AtomicInteger cdtDirs = new AtomicInteger();
  /** Processes still alive after cdt's ChromeLauncher.close() returned (killed by {@link CdtBrowser}). */
  final AtomicInteger cdtProcs = new AtomicInteger();

  Leftovers(Path tmp) {
    this.tmp = tmp;
    this.atStart = list();
  }

  /** The names in the temp dir now. */
  Set<String> list() {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Attributes the entries added since {@code before} (apart from Playwright's driver and the JVM's) to
   * {@code contender}, after giving them 2 s to go away, and deletes them.
   */
  synchronized void check(String measure, String contender, Set<String> before) {
    Set<String> added = list();
    added.removeAll(before);
    added.removeIf(n -> n.startsWith("playwright-java-") || n.startsWith("hsperfdata"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!added.isEmpty() && System.nanoTime() - deadline < 0) {
      Procs.sleep(20);
      added.removeIf(n -> !Files.exists(tmp.resolve(n)));
    }
    if (!added.isEmpty()) {
      Log.line("  " + measure + " / " + contender + " left in TMPDIR: " + added);
    }
    for (String n : added) {
      leftBy.computeIfAbsent(contender, k -> new ArrayList<>()).add(n);
      Procs.deleteTree(tmp.resolve(n));
    }
  }

  /** The cleanup section of results.md: what is still alive or on disk now, and what was removed. */
  synchronized String report() {
    Set<Long> ours = survivors();
    StringBuilder sb = new StringBuilder();
    sb.append("- Processes started by the benchmark still alive: ").append(ours.size());
    for (long p : ours) {
      String c = Procs.cmdline(p);
      sb.append("\n  - ").append(p).append(' ').append(c.length() > 160 ? c.substring(0, 160) + "..." : c);
    }
    Set<String> now = list();
    now.removeAll(atStart);
    List<String> left = new ArrayList<>();
    List<String> driver = new ArrayList<>();
    for (String n : now) {
      if (n.startsWith("playwright-java-")) {
        driver.add(n);
      } else if (!n.startsWith("hsperfdata") && !n.startsWith("jmh")) {
        left.add(n);
      }
    }
    sb.append("\n- New entries left in ").append(tmp).append(": ").append(left.size())
        .append(left.isEmpty() ? "" : " " + left);
    sb.append("\n- Playwright's unpacked driver dirs (deleted by Playwright's own JVM shutdown hook;"
        + " scripts/bench.sh checks after exit): ").append(driver.size());
    sb.append("\n- Temp entries each contender left in TMPDIR after its turn (the benchmark deleted them):");
    if (leftBy.isEmpty()) {
      sb.append(" none");
    }
    leftBy.forEach((c, l) -> sb.append("\n  - ").append(c).append(": ").append(l.size()).append(' ')
        .append(l.stream().map(n -> n.replaceAll("([.-])?[A-Za-z0-9_]{6,}$", "$1*")).distinct().toList()));
    sb.append("\n- cdt's ChromeLauncher.close() left ").append(cdtDirs.get()).append(" profile dirs and ")
        .append(cdtProcs.get()).append(" live processes behind during the run; the benchmark removed them.");
    return sb.toString();
  }

  /** This JVM's live descendants and whatever names or works in the temp dir, waiting up to 5 s for them to exit. */
  private Set<Long> survivors() {
    Set<Long> ours = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    do {
      ours.clear();
      ProcessHandle.current().descendants().filter(h -> ProcessTable.isAlive(h.pid())).forEach(h -> ours.add(h.pid()));
      // By command line or working dir: the headless shell's helpers name no dir, they work in the profile dir.
      LeakCheck.processesReferencing(tmp).forEach(p -> ours.add(p.pid()));
      // Our own JVM and its ancestors (mvn, the script) name the dir on their command lines.
      for (ProcessHandle h = ProcessHandle.current(); h != null; h = h.parent().orElse(null)) {
        ours.remove(h.pid());
      }
      if (ours.isEmpty()) {
        break;
      }
      Procs.sleep(50);
    } while (System.nanoTime() - deadline < 0);
    return ours;
  }
}
