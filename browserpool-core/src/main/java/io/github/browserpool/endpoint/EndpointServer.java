package io.github.browserpool.endpoint;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's CDP endpoint server: one WebSocket server on 127.0.0.1 and an ephemeral port, serving every
 * lease that asked for {@code cdpEndpoint()} at {@code ws://127.0.0.1:<port>/devtools/browser/<token>}.
 *
 * <p>Nothing is started until the first {@link #register}: a pool whose leases never ask has no port
 * and no thread. One daemon event-loop thread ({@code <poolName>-cdp-endpoint-N}) serves all clients.
 * {@link #close()} closes every client (1001) and the port, and ends the thread. Thread-safe.
 */
public final class EndpointServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointServer.class);

  /**
   * The largest client message (64 MiB), well under Chromium's 100 MiB pipe limit (one bigger message
   * kills the pipe for every session). A larger one closes its client with 1009 and never reaches the
   * pipe. Playwright sends up to ~345 KB; replies to clients (screenshots) are not limited.
   */
  public static final int MAX_CLIENT_MESSAGE_BYTES = 64 * 1024 * 1024;

  private final String poolName;
  private final String logPrefix;
  private final LeaseTokens<LeaseEndpoint> tokens = new LeaseTokens<>();
  private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
  private final Object startLock = new Object();
  // Guarded by startLock.
  private EventLoopGroup group;
  private Channel server;
  private int port;
  private boolean closed;

  public EndpointServer(String poolName) {
    this.poolName = Objects.requireNonNull(poolName, "poolName");
    this.logPrefix = "[" + poolName + "] ";
  }

  /**
   * Gives a lease its endpoint, starting the server on first use. The token dies when the lease is
   * released ({@link LeaseScope#onRelease}) or otherwise ends.
   *
   * @throws IllegalStateException when the server is closed or cannot bind 127.0.0.1
   */
  public URI register(LeaseScope scope) {
    int boundPort = start();
    for (LeaseEndpoint old : tokens.values()) {
      if (old.isEnded()) { // revoked or crashed leases: their tokens go now, not only when next used
        old.end("browserpool: " + old.scope.describe() + " has ended", false);
      }
    }
    LeaseEndpoint endpoint = tokens.issue(token -> new LeaseEndpoint(this, scope, token, boundPort));
    scope.onRelease(endpoint::released);
    log.debug("{}CDP endpoint for {} on port {}", logPrefix, scope.describe(), boundPort);
    return endpoint.uri;
  }

  /** Whether the server is listening (it starts on the first {@link #register}). */
  public boolean isStarted() {
    synchronized (startLock) {
      return server != null && !closed;
    }
  }

  /** The port, or 0 before the server started. */
  public int port() {
    synchronized (startLock) {
      return port;
    }
  }

  /** The lease behind a token from a request path, or null (unknown, expired or ended). */
  LeaseEndpoint lookup(String token) {
    LeaseEndpoint endpoint = tokens.find(token);
    if (endpoint != null && endpoint.isEnded()) {
      endpoint.end("browserpool: " + endpoint.scope.describe() + " has ended", false);
      return null;
    }
    return endpoint;
  }

  void forget(LeaseEndpoint endpoint) {
    tokens.remove(endpoint.token);
  }

  String logPrefix() {
    return logPrefix;
  }

  void track(Channel channel) {
    clients.add(channel);
    channel.closeFuture().addListener(f -> clients.remove(channel));
  }

  private int start() {
    synchronized (startLock) {
      if (closed) {
        throw new IllegalStateException(logPrefix + "the pool is closed; its CDP endpoint server is gone");
      }
      if (server != null) {
        return port;
      }
      EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1,
          new DefaultThreadFactory(poolName + "-cdp-endpoint", true), NioIoHandler.newFactory());
      try {
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(loops)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                track(ch);
                ch.pipeline()
                    .addLast("http", new HttpServerCodec())
                    .addLast("http-aggregate", new HttpObjectAggregator(64 * 1024))
                    .addLast("endpoint", new EndpointHandler(EndpointServer.this));
              }
            });
        Channel bound = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly().channel();
        server = bound;
        group = loops;
        port = ((InetSocketAddress) bound.localAddress()).getPort();
        log.info("{}CDP endpoint server listening on 127.0.0.1:{}", logPrefix, port);
        return port;
      } catch (RuntimeException e) {
        loops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        throw new IllegalStateException(logPrefix + "could not start the CDP endpoint server on 127.0.0.1: " + e, e);
      }
    }
  }

  /** Closes every client with 1001, the port and the thread; waits up to 2 s. Idempotent. */
  @Override
  public void close() {
    EventLoopGroup loops;
    Channel listening;
    synchronized (startLock) {
      if (closed) {
        return;
      }
      closed = true;
      loops = group;
      listening = server;
    }
    if (loops == null) {
      return;
    }
    for (LeaseEndpoint endpoint : tokens.values()) {
      endpoint.end("browserpool: the pool was closed", false);
    }
    listening.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    for (Channel client : clients) {
      client.close();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    log.debug("{}CDP endpoint server closed", logPrefix);
  }
}
