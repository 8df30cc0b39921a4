package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.CdpCallTimeoutException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import io.github.browserpool.CdpSessionClosedException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a lease turns failed calls into browserpool's exceptions: by error code, never by message text. */
class LeaseStateTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeLauncher launcher = new FakeLauncher();
  private PoolEngine engine;
  private LeaseState lease;

  @BeforeEach
  void start() {
    engine = new PoolEngine(PoolConfig.builder().maxContextsPerBrowser(1).poolName("test").ticker(ticker)
        .callTimeout(Duration.ofSeconds(7)).build(), launcher, false);
    lease = engine.acquire(null);
  }

  @AfterEach
  void closeEngine() {
    engine.close();
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void chromiumsOwnMinus32001IsNotACrashWhateverItsText() {
    // Chromium answers a command for an unknown session with code -32001; the text must not matter.
    var chromium = new ChromeDevToolsInvocationException(-32001L, "Session with given id not found. browser connection closed");
    assertThat(lease.translate(chromium)).isSameAs(chromium);
    assertThat(lease.isActive()).isTrue();
  }

  @Test
  void theWholeConnectionClosedIsACrashWhateverItsText() {
    var inFlight = new ChromeDevToolsInvocationException(CdpConnectionClosedException.CODE, "no telling words here");
    assertThat(lease.translate(inFlight)).isInstanceOf(BrowserCrashedException.class)
        .hasMessageContaining("lease #" + lease.id).hasMessageContaining("died during a call").hasCause(inFlight);
    assertThat(lease.translate(new CdpConnectionClosedException("x"))).isInstanceOf(BrowserCrashedException.class);
  }

  @Test
  void aGonePageIsNotACrash() {
    CdpSessionClosedException later = new CdpSessionClosedException("CDP session S is gone: the browser connection closed");
    assertThat(lease.translate(later)).isSameAs(later);

    var inFlight = new ChromeDevToolsInvocationException(CdpSessionClosedException.CODE, "CDP session S (target T) is gone: detached");
    RuntimeException translated = lease.translate(inFlight);
    assertThat(translated).isExactlyInstanceOf(CdpSessionClosedException.class)
        .hasMessageContaining("[test] lease #" + lease.id).hasMessageContaining("detached")
        .hasMessageContaining("newPage()").hasCause(inFlight);
    assertThat(((CdpException) translated).code()).isEqualTo(CdpSessionClosedException.CODE);
    assertThat(lease.isActive()).isTrue();
  }

  @Test
  void aTimedOutCallSaysWhatTimedOutAndWhatToDo() {
    var inFlight = new ChromeDevToolsInvocationException(CdpCallTimeoutException.CODE,
        "[test pid 1] Runtime.evaluate got no reply within PT7S on page T1; that page is closed now");
    RuntimeException translated = lease.translate(inFlight);
    assertThat(translated).isExactlyInstanceOf(CdpCallTimeoutException.class)
        .hasMessageContaining("Runtime.evaluate got no reply within PT7S")
        .hasMessageContaining("endless loop")
        .hasMessageContaining("newPage()")
        .hasMessageContaining("raise PoolConfig callTimeout")
        .hasCause(inFlight);
    assertThat(lease.isActive()).as("a timeout does not end the lease").isTrue();
  }

  @Test
  void otherChromiumErrorsPassThrough() {
    var error = new ChromeDevToolsInvocationException(-32000L, "Cannot find context with specified id");
    assertThat(lease.translate(error)).isSameAs(error);
  }
}
