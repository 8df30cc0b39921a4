package io.github.browserpool.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Small /proc helpers: which processes belong to a browser, whether they are dead, their PSS. */
final class Procs {
  private Procs() {}

  static List<Long> allPids() {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      s.forEach(p -> {
        String n = p.getFileName().toString();
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
          out.add(Long.parseLong(n));
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  static String cmdline(long pid) {
    try {
      byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(b, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** Alive = /proc/PID exists and is not a zombie. */
  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      return close < 0 || stat.length() < close + 3 || stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /** Live processes whose command line mentions {@code needle} (e.g. a profile dir). */
  static Set<Long> referencing(String needle) {
    Set<Long> out = new HashSet<>();
    for (long pid : allPids()) {
      if (cmdline(pid).contains(needle) && alive(pid)) {
        out.add(pid);
      }
    }
    return out;
  }

  /** A browser's tree: its main process, its descendants, and anything referencing its profile dir. */
  static Set<Long> tree(long pid, Path dir) {
    Set<Long> out = new HashSet<>();
    out.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> out.add(d.pid())));
    if (dir != null) {
      out.addAll(referencing(dir.toString()));
    }
    return out;
  }

  static boolean anyAlive(Set<Long> pids) {
    for (long p : pids) {
      if (alive(p)) {
        return true;
      }
    }
    return false;
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
