package io.github.browserpool.test;

/**
 * One live process as {@code /proc} shows it.
 *
 * @param pid the process id
 * @param state the state letter of {@code /proc/PID/stat} (R, S, D, T, ...; never Z or X, which count as dead)
 * @param ppid the parent's process id
 * @param startTicks the start time (field 22 of {@code /proc/PID/stat}), which tells a reused PID apart
 * @param cmdline the command line with its NUL separators turned into spaces
 */
public record ProcessInfo(long pid, char state, long ppid, long startTicks, String cmdline) {
  /** "pid@startTicks": the process's identity across PID reuse. */
  public String identity() {
    return pid + "@" + startTicks;
  }

  @Override
  public String toString() {
    return "pid " + pid + " [" + state + "] ppid " + ppid + ": "
        + (cmdline.length() > 200 ? cmdline.substring(0, 200) + "..." : cmdline);
  }
}
