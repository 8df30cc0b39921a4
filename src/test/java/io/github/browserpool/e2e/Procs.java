package io.github.browserpool.e2e;

import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.ProcessInfo;
import io.github.browserpool.test.ProcessTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Signals for processes a test's own pool launched, and the e2e suite's views of /proc. Reading /proc is
 * browserpool-test's {@link ProcessTable} (independent of the library under test); zombies (state Z or
 * X) count as dead everywhere here.
 */
public final class Procs {
  private Procs() {}

  /** Every live (non-zombie) process on the machine. */
  public static List<ProcessInfo> all() {
    return ProcessTable.live();
  }

  /** The process with this PID, or null when it is gone or a zombie. */
  public static ProcessInfo read(long pid) {
    return ProcessTable.read(pid);
  }

  /**
   * A process's identity across PID reuse, "pid@starttime" (field 22 of /proc/PID/stat), or null when it
   * is gone. PIDs wrap (pid_max may be 32768), so a long test must not remember bare PIDs.
   */
  public static String identity(long pid) {
    return ProcessTable.identity(pid);
  }

  public static boolean isAlive(long pid) {
    return ProcessTable.isAlive(pid);
  }

  /**
   * Live processes whose command line or working directory names {@code path} (e.g. a tempRoot or a
   * profile dir): the headless shell's helpers name their profile dir only as their working directory.
   */
  public static List<ProcessInfo> referencing(Path path) {
    return ProcessTable.namingInCommandLineOrCwd(path);
  }

  /** PIDs of the live descendants of {@code pid}, by walking parent links in /proc. */
  public static List<Long> descendants(long pid) {
    return new ArrayList<>(ProcessTable.descendants(pid));
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

  /**
   * A browser's whole tree: the main PID, its descendants and every process that references its profile
   * dir ({@link ProcessTable#tree}).
   */
  public static List<Long> tree(long mainPid, Path userDataDir) {
    return new ArrayList<>(ProcessTable.tree(mainPid, userDataDir));
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
  public static List<Long> alive(Collection<Long> pids) {
    return ProcessTable.alive(pids);
  }

  /** chromelambda-* dirs directly under {@code root}. */
  public static List<Path> profileDirs(Path root) {
    return LeakCheck.profileDirs(root);
  }
}
