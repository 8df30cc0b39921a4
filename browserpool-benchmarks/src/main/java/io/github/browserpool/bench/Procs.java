package io.github.browserpool.bench;

import io.github.browserpool.test.ProcessInfo;
import io.github.browserpool.test.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark's own process helpers: PSS, kill, await or require gone, close in parallel, delete a dir.
 * Reading processes (which belong to a browser, whether they are alive) is browserpool-test's
 * {@link ProcessTable}, independent of the core being measured.
 */
final class Procs {
  private Procs() {}

  /** The command line (NULs as spaces), or "" when the process is gone. */
  static String cmdline(long pid) {
    ProcessInfo p = ProcessTable.read(pid);
    return p == null ? "" : p.cmdline();
  }

  /** Live processes whose command line mentions {@code needle} (e.g. a profile dir). */
  static Set<Long> referencing(String needle) {
    Set<Long> out = new HashSet<>();
    ProcessTable.referencing(needle).forEach(p -> out.add(p.pid()));
    return out;
  }

  static boolean anyAlive(Set<Long> pids) {
    return !ProcessTable.alive(pids).isEmpty();
  }

  /** Proportional set size of one process in kB (smaps_rollup), 0 if gone. */
  static long pssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  static long pssKb(Set<Long> pids) {
    long sum = 0;
    for (long p : pids) {
      sum += pssKb(p);
    }
    return sum;
  }

  /** Kills the given processes with SIGKILL (only pids this benchmark started or that use its dirs). */
  static void kill(Set<Long> pids) {
    for (long p : pids) {
      ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** Polls every 10 ms until none of {@code pids} is alive and {@code dir} (if any) is gone. */
  static boolean awaitGone(Set<Long> pids, Path dir, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (System.nanoTime() - deadline < 0) {
      if (!anyAlive(pids) && (dir == null || !Files.exists(dir))) {
        return true;
      }
      sleep(10);
    }
    return false;
  }

  /** Throws unless every tree is dead and its dir gone within 10 s; what is left is killed and deleted first. */
  static void requireGone(String who, List<Set<Long>> trees, List<Path> dirs) {
    for (int i = 0; i < trees.size(); i++) {
      requireGone(who, trees.get(i), dirs.get(i));
    }
  }

  static void requireGone(String who, Set<Long> tree, Path dir) {
    if (!awaitGone(tree, dir, 10_000)) {
      kill(tree);
      deleteTree(dir);
      throw new IllegalStateException(who + " left processes or its profile dir after close: " + tree);
    }
  }

  /** Closes all at once, a thread each, and waits up to 2 minutes for them; a failure is logged. */
  static void parallelClose(List<? extends AutoCloseable> all) {
    List<Thread> ts = new ArrayList<>();
    for (AutoCloseable a : all) {
      Thread t = new Thread(() -> {
        try {
          a.close();
        } catch (Exception e) {
          Log.line("close failed: " + e);
        }
      }, "bench-close");
      t.start();
      ts.add(t);
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    for (Thread t : ts) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException ignored) {
            // retried
          }
        });
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // retried
      }
    }
  }
}
