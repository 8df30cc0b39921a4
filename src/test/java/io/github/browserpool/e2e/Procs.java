package io.github.browserpool.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Read-only views of /proc for tests, plus signals for processes a test's own pool launched. Zombies
 * (state Z or X) count as dead everywhere here.
 */
public final class Procs {
  private Procs() {}

  /** A live process: its PID, state letter, parent PID and command line. */
  public record Proc(long pid, char state, long ppid, String cmdline) {
    @Override
    public String toString() {
      return "pid " + pid + " [" + state + "] ppid " + ppid + ": "
          + (cmdline.length() > 200 ? cmdline.substring(0, 200) + "..." : cmdline);
    }
  }

  /** Every live (non-zombie) process on the machine. */
  public static List<Proc> all() {
    List<Proc> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        Proc proc = read(Long.parseLong(p.getFileName().toString()));
        if (proc != null) {
          out.add(proc);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return out;
  }

  /** The process with this PID, or null when it is gone or a zombie. */
  public static Proc read(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      String[] f = stat.substring(close + 2).split(" ");
      char state = f[0].charAt(0);
      if (state == 'Z' || state == 'X') {
        return null;
      }
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
      return new Proc(pid, state, Long.parseLong(f[1]), cmd);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A process's identity across PID reuse, "pid@starttime" (field 22 of /proc/PID/stat), or null when it
   * is gone. PIDs wrap (pid_max may be 32768), so a long test must not remember bare PIDs.
   */
  public static String identity(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return pid + "@" + f[19];
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public static boolean isAlive(long pid) {
    return read(pid) != null;
  }

  /** Live processes whose command line mentions {@code path} (e.g. a tempRoot or a profile dir). */
  public static List<Proc> referencing(Path path) {
    String needle = path.toString();
    return all().stream().filter(p -> p.cmdline().contains(needle)).toList();
  }

  /** PIDs of the live descendants of {@code pid}, by walking parent links in /proc. */
  public static List<Long> descendants(long pid) {
    List<Proc> procs = all();
    List<Long> out = new ArrayList<>();
    List<Long> frontier = new ArrayList<>(List.of(pid));
    while (!frontier.isEmpty()) {
      long parent = frontier.remove(frontier.size() - 1);
      for (Proc p : procs) {
        if (p.ppid() == parent && !out.contains(p.pid())) {
          out.add(p.pid());
          frontier.add(p.pid());
        }
      }
    }
    return out;
  }

  /** Sends a signal (KILL, STOP, CONT, TERM) to one PID. Only for processes the test's own pool launched. */
  public static void signal(long pid, String signal) {
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A browser's whole tree: the main PID, its descendants and every process that references its profile dir. */
  public static List<Long> tree(long mainPid, Path userDataDir) {
    List<Long> pids = new ArrayList<>();
    pids.add(mainPid);
    pids.addAll(descendants(mainPid));
    for (Proc p : referencing(userDataDir)) {
      if (!pids.contains(p.pid())) {
        pids.add(p.pid());
      }
    }
    return pids;
  }

  /** Sends a signal to a browser's whole tree (see {@link #tree}); returns the PIDs signalled. */
  public static List<Long> signalTree(long mainPid, Path userDataDir, String signal) {
    List<Long> pids = tree(mainPid, userDataDir);
    for (long pid : pids) {
      signal(pid, signal);
    }
    return pids;
  }

  /** The PIDs among {@code pids} that are still alive (not gone, not zombies). */
  public static List<Long> alive(java.util.Collection<Long> pids) {
    return pids.stream().filter(Procs::isAlive).toList();
  }

  /** chromelambda-* dirs directly under {@code root}. */
  public static List<Path> profileDirs(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith("chromelambda-")).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + root, e);
    }
  }
}
