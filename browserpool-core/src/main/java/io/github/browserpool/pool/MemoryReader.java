package io.github.browserpool.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads how much memory one process uses. The production reader reads /proc; unit tests pass a fake. */
@FunctionalInterface
public interface MemoryReader {
  /** The proportional set size (PSS) of {@code pid} in bytes, or -1 when it is gone or unreadable. */
  long pssBytes(long pid);

  /** Reads the {@code Pss:} line (in kB) of {@code /proc/<pid>/smaps_rollup}. */
  static MemoryReader proc() {
    return pid -> {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
      } catch (IOException | UncheckedIOException | SecurityException e) {
        return -1;
      }
      return parsePss(lines);
    };
  }

  /** The {@code Pss:} field of smaps_rollup in bytes, or -1 when there is none. */
  static long parsePss(List<String> smapsRollup) {
    for (String line : smapsRollup) {
      if (line.startsWith("Pss:")) {
        String[] f = line.substring(4).trim().split("\\s+");
        try {
          return Long.parseLong(f[0]) * 1024;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
