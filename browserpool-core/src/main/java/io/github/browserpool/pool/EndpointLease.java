package io.github.browserpool.pool;

import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.endpoint.LeaseScope;

/** A lease as its CDP endpoint sees it. */
final class EndpointLease implements LeaseScope {
  private final LeaseState lease;
  private final LaunchedBrowser.RawCdp context;
  private final String prefix;

  EndpointLease(LeaseState lease, LaunchedBrowser.RawCdp context, String prefix) {
    this.lease = lease;
    this.context = context;
    this.prefix = prefix;
  }

  @Override
  public PipeConnection connection() {
    return context.connection();
  }

  @Override
  public String browserContextId() {
    return context.contextId();
  }

  @Override
  public String hiddenTargetId() {
    return context.contextId() == null ? context.keeperTargetId() : null;
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
    context.onRelease(hook);
  }
}
