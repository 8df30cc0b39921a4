package io.github.browserpool.pool;

import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.endpoint.LeaseScope;
import io.github.browserpool.spi.LaunchedBrowser;

/** A lease as its CDP endpoint sees it. */
final class EndpointLease implements LeaseScope {
  private final LeaseState lease;
  private final LaunchedBrowser.RawCdp raw;
  private final String prefix;

  EndpointLease(LeaseState lease, LaunchedBrowser.RawCdp raw, String prefix) {
    this.lease = lease;
    this.raw = raw;
    this.prefix = prefix;
  }

  @Override
  public PipeConnection connection() {
    return raw.connection();
  }

  @Override
  public String browserContextId() {
    return raw.contextId();
  }

  @Override
  public String hiddenTargetId() {
    return raw.contextId() == null ? raw.keeperTargetId() : null;
  }

  @Override
  public boolean sharesBrowser() {
    return lease.sharesBrowser();
  }

  @Override
  public void touch() {
    lease.beforeCall();
  }

  @Override
  public boolean isActive() {
    return lease.isActive();
  }

  @Override
  public String describe() {
    return "lease #" + lease.id + " (" + lease.entry.browser.describe() + ")";
  }

  @Override
  public String logPrefix() {
    return prefix;
  }

  @Override
  public void onRelease(Runnable hook) {
    raw.onRelease(hook);
  }

  @Override
  public String preparedTargetId() {
    return raw.preparedTargetId();
  }

  @Override
  public String preparedTabId() {
    return raw.preparedTabId();
  }

  @Override
  public String takePreparedPage() {
    CdpSession page = raw.takePreparedPage();
    return page == null ? null : page.sessionId();
  }
}
