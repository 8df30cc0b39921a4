package io.github.browserpool.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TurnsTest {
  @TempDir Path tmp;

  private final Results results = new Results();

  @Test
  void eachRepetitionRotatesTheOrder() {
    List<String> calls = new ArrayList<>();
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    for (String name : List.of("a", "b", "c")) {
      c.put(name, () -> {
        calls.add(name);
        return 1.0;
      });
    }
    new Turns(results, new Leftovers(tmp)).isolated("m", 3, c);
    assertThat(calls).containsExactly("a", "b", "c", "b", "c", "a", "c", "a", "b");
    assertThat(results.samples("m", "a")).containsExactly(1.0, 1.0, 1.0);
  }

  @Test
  void aContenderThatFailedThreeTimesSitsOutTheRestAndTheOthersGoOn() {
    List<String> calls = new ArrayList<>();
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put("bad", () -> {
      calls.add("bad");
      throw new IllegalStateException("no browser");
    });
    c.put("good", () -> 2.0);
    new Turns(results, new Leftovers(tmp)).isolated("m", 5, c);
    assertThat(calls).hasSize(Results.MAX_FAILURES);
    assertThat(results.samples("m", "good")).hasSize(5);
    assertThat(results.failure("m", "bad")).isEqualTo("failed 3x, last: java.lang.IllegalStateException: no browser");
  }

  @Test
  void whatAnIsolatedTurnLeavesInTheTempDirIsRemovedAndReportedForItsContender() throws Exception {
    Leftovers leftovers = new Leftovers(tmp);
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put("messy", () -> {
      Files.createDirectories(tmp.resolve("profile-abcdefgh").resolve("Default"));
      return 1.0;
    });
    c.put("tidy", () -> {
      Files.delete(Files.createDirectory(tmp.resolve("tidy-dir")));
      return 1.0;
    });
    new Turns(results, leftovers).isolated("m", 1, c);
    assertThat(tmp.resolve("profile-abcdefgh")).doesNotExist();
    assertThat(leftovers.report())
        .contains("- New entries left in " + tmp + ": 0")
        .contains("  - messy: 1 [profile-*]")
        .doesNotContain("tidy");
  }

  @Test
  void aSharedTurnIsNotCheckedButTheEndOfTheRunIs() throws Exception {
    Leftovers leftovers = new Leftovers(tmp);
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put("live", () -> {
      Files.createDirectories(tmp.resolve("live-browser"));
      return 1.0;
    });
    new Turns(results, leftovers).shared("m", 1, c);
    assertThat(tmp.resolve("live-browser")).exists();
    assertThat(leftovers.report()).contains("- New entries left in " + tmp + ": 1 [live-browser]")
        .contains("after its turn (the benchmark deleted them): none");
  }
}
