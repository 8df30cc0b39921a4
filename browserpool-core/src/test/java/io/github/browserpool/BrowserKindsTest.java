package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.grid.GridKind;
import io.github.browserpool.local.LocalKind;
import io.github.browserpool.pool.FakeLauncher;
import io.github.browserpool.spi.BrowserKind;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kind of browser is chosen through the SPI: each config is accepted by exactly one kind of
 * BrowserKinds, and the startup sweep is the chosen launcher's, reported once in stats and to listeners.
 * Starts no browser and contacts no Grid.
 */
class BrowserKindsTest {
  private static final PoolConfig LOCAL = PoolConfig.builder().build();
  private static final PoolConfig GRID = PoolConfig.builder().seleniumGrid(URI.create("http://127.0.0.1:4444")).build();

  @Test
  void eachConfigIsAcceptedByExactlyOneKind() {
    assertThat(BrowserKinds.KINDS.stream().filter(k -> k.accepts(LOCAL))).singleElement().isInstanceOf(LocalKind.class);
    assertThat(BrowserKinds.KINDS.stream().filter(k -> k.accepts(GRID))).singleElement().isInstanceOf(GridKind.class);
    assertThat(BrowserKinds.of(LOCAL)).isInstanceOf(LocalKind.class);
    assertThat(BrowserKinds.of(GRID)).isInstanceOf(GridKind.class);
    assertThat(BrowserKinds.KINDS).extracting(BrowserKind::getClass).doesNotHaveDuplicates();
  }

  @Test
  void startRunsTheLaunchersOwnSweepAndRecordsWhatItRemoved() {
    List<String> heard = new ArrayList<>();
    PoolConfig config = PoolConfig.builder().poolName("kinds-sweep").registerMBean(false)
        .listener(new PoolListener() {
          @Override
          public void swept(int dirs, int processes) {
            heard.add(dirs + "/" + processes);
          }
        }).build();
    try (BrowserPool pool = BrowserPool.start(config, new Sweeping(new FakeLauncher(), 2, 5), true)) {
      assertThat(pool.stats().sweptDirs()).isEqualTo(2);
      assertThat(pool.stats().sweptProcesses()).isEqualTo(5);
    }
    assertThat(heard).containsExactly("2/5");
  }

  @Test
  void aLauncherWithoutASweepReportsNone() {
    List<String> heard = new ArrayList<>();
    PoolConfig config = PoolConfig.builder().poolName("kinds-nosweep").registerMBean(false)
        .listener(new PoolListener() {
          @Override
          public void swept(int dirs, int processes) {
            heard.add(dirs + "/" + processes);
          }
        }).build();
    try (BrowserPool pool = BrowserPool.start(config, new FakeLauncher(), true)) {
      assertThat(pool.stats().sweptDirs()).isZero();
      assertThat(pool.stats().sweptProcesses()).isZero();
    }
    assertThat(heard).as("no sweep, no event (the Grid kind sweeps in create)").isEmpty();
  }

  /** A fake launcher whose startup sweep reports fixed counts. */
  private record Sweeping(FakeLauncher fake, int dirs, int processes) implements BrowserLauncher {
    @Override
    public LaunchedBrowser launch(BrowserEvents events) {
      return fake.launch(events);
    }

    @Override
    public void sweep(Swept swept) {
      swept.record(dirs, processes);
    }
  }
}
