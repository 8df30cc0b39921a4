package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading PSS from /proc/PID/smaps_rollup. */
class MemoryReaderTest {
  @Test
  void thePssLineIsReadInKilobytes() {
    List<String> rollup = List.of(
        "55d0c0a00000-7ffc2b5fe000 ---p 00000000 00:00 0                          [rollup]",
        "Rss:              184320 kB",
        "Pss:              102400 kB",
        "Pss_Anon:          90000 kB",
        "Shared_Clean:      12000 kB");
    assertThat(MemoryReader.parsePss(rollup)).isEqualTo(102400L * 1024);
  }

  @Test
  void noPssLineReadsAsUnknown() {
    assertThat(MemoryReader.parsePss(List.of("Rss: 10 kB"))).isEqualTo(-1);
    assertThat(MemoryReader.parsePss(List.of("Pss: lots kB"))).isEqualTo(-1);
  }

  @Test
  void theProcReaderReadsThisJvmAndAGoneProcessReadsAsMinusOne() {
    long self = MemoryReader.proc().pssBytes(ProcessHandle.current().pid());
    assertThat(self).as("this JVM's PSS").isGreaterThan(10L << 20);
    assertThat(MemoryReader.proc().pssBytes(Long.MAX_VALUE)).isEqualTo(-1);
  }
}
