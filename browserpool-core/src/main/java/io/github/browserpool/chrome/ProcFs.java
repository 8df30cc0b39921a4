package io.github.browserpool.chrome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads process facts from Linux's /proc. A zombie (state Z) or dead (X) process counts as dead:
 * {@code ProcessHandle.isAlive()} says true for orphaned zombies for seconds, /proc does not lie.
 */
public final class ProcFs {
  private static final Path PROC = Path.of("/proc");
  /** Counts full passes over /proc ({@link #scan}, {@link #referencing}, {@link #descendants}), for tests. */
  private static final AtomicLong FULL_SCANS = new AtomicLong();

  private ProcFs() {}

  /** The fields of /proc/PID/stat that browserpool uses. */
  public record Stat(long pid, char state, long ppid, long startTicks) {}

  /**
   * Parses one /proc/PID/stat line. The command name in parentheses may hold spaces and ')'.
   *
   * @throws IllegalArgumentException when the line is not a stat line
   */
  public static Stat parseStat(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    String[] f = line.substring(close + 1).trim().split(" ");
    // f[0] is field 3 (state); field N is f[N - 3].
    if (f.length < 20 || f[0].length() != 1) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    try {
      long pid = Long.parseLong(line.substring(0, open).trim());
      return new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc stat line: " + line, e);
    }
  }

  /** The stat of a process, or null when it is gone. */
  public static Stat stat(long pid) {
    try {
      return parseStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** True when the process exists and is neither a zombie nor dead. */
  public static boolean isAlive(long pid) {
    Stat s = stat(pid);
    return s != null && s.state() != 'Z' && s.state() != 'X';
  }

  /** The command line with NULs turned into spaces, or null when the process is gone. */
  public static String cmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Whether the process's command line or working directory contains {@code needle}. Full Chromium's
   * helpers name the profile dir on their command line ({@code --user-data-dir}); the headless shell's
   * do not (and overwrite their environment with their new title), but keep the working directory the
   * browser was started in, which is the profile dir. A working directory this user cannot read, or one
   * a sandbox moved, does not match; such helpers are found as the browser's descendants.
   */
  static boolean names(long pid, String needle) {
    String cmd = cmdline(pid);
    if (cmd != null && cmd.contains(needle)) {
      return true;
    }
    String cwd = cwd(pid);
    return cwd != null && cwd.contains(needle);
  }

  /** The working directory's path, or null when the process is gone or it cannot be read. */
  static String cwd(long pid) {
    try {
      return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd")).toString();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** How many full passes over /proc this JVM has made so far. */
  public static long fullScans() {
    return FULL_SCANS.get();
  }

  /**
   * The children of {@code pid} from {@code /proc/PID/task/PID/children} (zombies included), or an
   * empty list when the process is gone or the kernel does not offer that file.
   */
  public static List<Long> children(long pid) {
    String p = Long.toString(pid);
    try {
      String text = Files.readString(PROC.resolve(p).resolve("task").resolve(p).resolve("children")).trim();
      List<Long> out = new ArrayList<>();
      if (!text.isEmpty()) {
        for (String c : text.split("\\s+")) {
          out.add(Long.parseLong(c));
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /**
   * One pass over /proc: the live processes whose command line or working directory contains {@code needle}
   * (see {@link #names}), plus, when
   * {@code root} is positive, the live descendants of {@code root} (through parent links). The caller
   * passes a root only while it knows that PID is still the process it means: after it died, its PID
   * may belong to an unrelated process.
   */
  public static Set<Long> scan(String needle, long root) {
    FULL_SCANS.incrementAndGet();
    List<Stat> all = new ArrayList<>();
    Set<Long> out = new LinkedHashSet<>();
    for (long pid : listPids()) {
      Stat s = stat(pid);
      if (s == null || s.state() == 'Z' || s.state() == 'X') {
        continue;
      }
      all.add(s);
      if (names(pid, needle)) {
        out.add(pid);
      }
    }
    if (root > 0) {
      out.addAll(descendantsIn(all, root));
    }
    return out;
  }

  /** Every PID in /proc. */
  public static List<Long> pids() {
    return listPids();
  }

  private static List<Long> listPids() {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path p : ds) {
        out.add(Long.parseLong(p.getFileName().toString()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return out;
  }

  /** Live PIDs whose command line or working directory contains {@code needle} (see {@link #names}). */
  public static List<Long> referencing(String needle) {
    FULL_SCANS.incrementAndGet();
    List<Long> out = new ArrayList<>();
    for (long pid : pids()) {
      if (names(pid, needle) && isAlive(pid)) {
        out.add(pid);
      }
    }
    return out;
  }

  /** Live descendants of {@code root}, found through the parent links in /proc. */
  public static Set<Long> descendants(long root) {
    FULL_SCANS.incrementAndGet();
    List<Stat> all = new ArrayList<>();
    for (long pid : pids()) {
      Stat s = stat(pid);
      if (s != null) {
        all.add(s);
      }
    }
    return descendantsIn(all, root);
  }

  private static Set<Long> descendantsIn(List<Stat> all, long root) {
    Set<Long> out = new LinkedHashSet<>();
    List<Long> frontier = new ArrayList<>(List.of(root));
    while (!frontier.isEmpty()) {
      long parent = frontier.remove(frontier.size() - 1);
      for (Stat s : all) {
        if (s.ppid() == parent && out.add(s.pid())) {
          frontier.add(s.pid());
        }
      }
    }
    return out;
  }
}
