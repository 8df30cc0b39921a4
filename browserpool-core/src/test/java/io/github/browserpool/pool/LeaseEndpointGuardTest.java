package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import org.junit.jupiter.api.Test;

/** cdpEndpoint() and newRawPage() on leases that cannot have them: a clear error, and no server started. */
class LeaseEndpointGuardTest {
  @Test
  void aLeaseOfANonChromiumLauncherSaysWhyAndStartsNoServer() {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(1).poolName("guard").ticker(new FakeTicker()).build();
    PoolEngine engine = new PoolEngine(config, new FakeLauncher(), false);
    try {
      LeaseState lease = engine.acquire(null);
      assertThatThrownBy(lease::cdpEndpoint).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("[guard] cdpEndpoint() needs a real Chromium browser");
      assertThatThrownBy(lease::newRawPage).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("newRawPage()");
      assertThat(engine.endpoints().isStarted()).isFalse();
      lease.close();
      assertThatThrownBy(lease::cdpEndpoint).isInstanceOf(LeaseRevokedException.class);
      assertThatThrownBy(lease::newRawPage).isInstanceOf(LeaseRevokedException.class);
    } finally {
      engine.close();
    }
  }
}
