package io.github.browserpool.test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link LeakCheck#scan} found under a {@code tempRoot}: live processes whose command line names it,
 * and {@code chromelambda-*} dirs directly in it.
 *
 * @param tempRoot the dir that was checked
 * @param processes live processes (other than this JVM) naming {@code tempRoot}
 * @param profileDirs {@code chromelambda-*} dirs directly in {@code tempRoot}
 */
public record Leftovers(Path tempRoot, List<ProcessInfo> processes, List<Path> profileDirs) {
  /** Copies both lists, unmodifiable. */
  public Leftovers {
    processes = List.copyOf(processes);
    profileDirs = List.copyOf(profileDirs);
  }

  /** True when nothing is left. */
  public boolean isEmpty() {
    return processes.isEmpty() && profileDirs.isEmpty();
  }

  /**
   * What is here but was not in {@code baseline} (a scan of the same tempRoot taken earlier): processes
   * by PID and start time, so a reused PID counts as new, and dirs by path. Use it when the tempRoot is
   * shared with something else that runs Chromium.
   */
  public Leftovers since(Leftovers baseline) {
    Set<String> oldProcesses = baseline.processes().stream().map(ProcessInfo::identity).collect(Collectors.toSet());
    Set<Path> oldDirs = Set.copyOf(baseline.profileDirs());
    return new Leftovers(tempRoot,
        processes.stream().filter(p -> !oldProcesses.contains(p.identity())).toList(),
        profileDirs.stream().filter(d -> !oldDirs.contains(d)).toList());
  }

  /** One line per leftover ("process still running: ...", "profile dir left behind: ..."); empty when none. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    processes.forEach(p -> lines.add("process still running: " + p));
    profileDirs.forEach(d -> lines.add("profile dir left behind: " + d));
    return lines;
  }

  /**
   * Throws an {@link AssertionError} that names every leftover, unless there is none.
   *
   * @throws AssertionError when a process or a profile dir is left
   */
  public void assertNone() {
    if (!isEmpty()) {
      throw new AssertionError(this);
    }
  }

  @Override
  public String toString() {
    if (isEmpty()) {
      return "nothing left under " + tempRoot;
    }
    return "leak under " + tempRoot + ": " + processes.size() + " process(es) and " + profileDirs.size()
        + " chromelambda dir(s) left\n  " + String.join("\n  ", lines());
  }
}
