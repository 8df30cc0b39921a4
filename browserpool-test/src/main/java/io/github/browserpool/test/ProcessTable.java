package io.github.browserpool.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Read-only views of Linux's {@code /proc}, written for tests and independent of browserpool-core (a
 * checker must not share code with what it checks). A zombie (state Z) or dead (X) process counts as
 * dead everywhere here: it holds no memory and no files, and {@code ProcessHandle.isAlive()} keeps saying
 * true for orphaned zombies for seconds.
 */
public final class ProcessTable {
  private static final Path PROC = Path.of("/proc");

  private ProcessTable() {}

  /** Every live (non-zombie) process on the machine, this JVM included. */
  public static List<ProcessInfo> live() {
    List<ProcessInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path p : ds) {
        ProcessInfo info = read(Long.parseLong(p.getFileName().toString()));
        if (info != null) {
          out.add(info);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc (this check needs Linux)", e);
    }
    return out;
  }

  /** The process with this PID, or null when it is gone, a zombie, or cannot be read. */
  public static ProcessInfo read(long pid) {
    Path dir = PROC.resolve(Long.toString(pid));
    try {
      String stat = Files.readString(dir.resolve("stat"));
      // The command name in parentheses may hold spaces and ')': fields start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      char state = f[0].charAt(0);
      if (state == 'Z' || state == 'X') {
        return null;
      }
      byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
      String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
      return new ProcessInfo(pid, state, Long.parseLong(f[1]), Long.parseLong(f[19]), cmdline);
    } catch (IOException | RuntimeException e) {
      return null; // exited while we looked, or not ours to read
    }
  }

  /** True when the process exists and is neither a zombie nor dead. */
  public static boolean isAlive(long pid) {
    return read(pid) != null;
  }

  /** "pid@startTicks" of a live process (see {@link ProcessInfo#identity()}), or null when it is gone. */
  public static String identity(long pid) {
    ProcessInfo info = read(pid);
    return info == null ? null : info.identity();
  }

  /** Live processes whose command line contains {@code needle} anywhere. */
  public static List<ProcessInfo> referencing(String needle) {
    return live().stream().filter(p -> p.cmdline().contains(needle)).toList();
  }

  /**
   * Live processes whose command line names {@code path} as a whole path: an occurrence of it that is
   * followed by {@code /}, a space or the end. So {@code /tmp/a} matches {@code --user-data-dir=/tmp/a/x}
   * and {@code sh -c ... /tmp/a}, but not {@code /tmp/ab}. Both the absolute and the real form of the
   * path count.
   */
  public static List<ProcessInfo> naming(Path path) {
    List<String> forms = forms(path);
    return live().stream().filter(p -> forms.stream().anyMatch(f -> namesPath(p.cmdline(), f))).toList();
  }

  /**
   * Live processes that name {@code path} as a whole path (as {@link #naming}) on their command line or as
   * their working directory (or a dir inside it). The headless shell's helpers (zygotes, renderers, GPU and
   * utility processes) carry no {@code --user-data-dir} and overwrite their environment with their new
   * title; they keep the browser's working directory, which the pool makes the profile dir. Processes
   * whose working directory this user cannot read are matched by their command line only.
   */
  public static List<ProcessInfo> namingInCommandLineOrCwd(Path path) {
    List<String> forms = forms(path);
    return live().stream().filter(p -> forms.stream().anyMatch(f -> namesPath(p.cmdline(), f)
        || namesPath(cwd(p.pid()), f))).toList();
  }

  /** The working directory of {@code pid}, or "" when it is gone or cannot be read. */
  static String cwd(long pid) {
    try {
      return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("cwd")).toString();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * PIDs of the live processes whose environment holds {@code entry} ({@code NAME=value}) exactly, as
   * one whole entry. A process started with its own {@code TMPDIR} is found this way with everything it
   * started, even after they were reparented. Processes whose environment this user cannot read are
   * left out.
   */
  public static List<Long> withEnvironment(String entry) {
    byte[] needle = (entry + "\0").getBytes(StandardCharsets.UTF_8);
    List<Long> out = new ArrayList<>();
    for (ProcessInfo p : live()) {
      try {
        byte[] env = Files.readAllBytes(PROC.resolve(Long.toString(p.pid())).resolve("environ"));
        if (holdsEntry(env, needle)) {
          out.add(p.pid());
        }
      } catch (IOException | RuntimeException e) {
        // gone meanwhile, or not ours to read
      }
    }
    return out;
  }

  /** Whether {@code needle} (an entry and its NUL) starts at the beginning of {@code env} or after a NUL. */
  private static boolean holdsEntry(byte[] env, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (env[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Live descendants of {@code root}, found through the parent links in /proc. */
  public static Set<Long> descendants(long root) {
    List<ProcessInfo> all = live();
    Set<Long> out = new LinkedHashSet<>();
    List<Long> frontier = new ArrayList<>(List.of(root));
    while (!frontier.isEmpty()) {
      long parent = frontier.remove(frontier.size() - 1);
      for (ProcessInfo p : all) {
        if (p.ppid() == parent && out.add(p.pid())) {
          frontier.add(p.pid());
        }
      }
    }
    return out;
  }

  /**
   * A browser's whole process tree: {@code pid} first, then its live descendants, then every other live
   * process whose command line mentions {@code dir} (its profile dir: helpers such as crashpad are
   * re-parented away from the browser but still name it) or works in it (the headless shell's helpers,
   * see {@link #namingInCommandLineOrCwd}). {@code dir} may be null, for the descendants only. Take it
   * while the browser runs; signal or await these PIDs afterwards.
   */
  public static Set<Long> tree(long pid, Path dir) {
    Set<Long> out = new LinkedHashSet<>();
    out.add(pid);
    out.addAll(descendants(pid));
    if (dir != null) {
      referencing(dir.toString()).forEach(p -> out.add(p.pid()));
      namingInCommandLineOrCwd(dir).forEach(p -> out.add(p.pid()));
    }
    return out;
  }

  /** The PIDs among {@code pids} that are still alive (neither gone nor zombies), in their order. */
  public static List<Long> alive(Collection<Long> pids) {
    return pids.stream().filter(ProcessTable::isAlive).toList();
  }

  /** Whether {@code cmdline} holds {@code path} followed by '/', ' ' or the end. */
  static boolean namesPath(String cmdline, String path) {
    for (int i = cmdline.indexOf(path); i >= 0; i = cmdline.indexOf(path, i + 1)) {
      int end = i + path.length();
      if (end == cmdline.length() || cmdline.charAt(end) == '/' || cmdline.charAt(end) == ' ') {
        return true;
      }
    }
    return false;
  }

  private static List<String> forms(Path path) {
    List<String> forms = new ArrayList<>();
    String absolute = path.toAbsolutePath().normalize().toString();
    forms.add(absolute);
    try {
      String real = path.toRealPath().toString();
      if (!real.equals(absolute)) {
        forms.add(real);
      }
    } catch (IOException e) {
      // Gone already: the absolute form is enough.
    }
    return forms;
  }
}
