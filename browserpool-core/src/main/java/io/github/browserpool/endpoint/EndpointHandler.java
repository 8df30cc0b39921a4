package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.PipeConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the endpoint server: the HTTP request (a WebSocket upgrade or {@code /json/version}),
 * then the WebSocket frames of one {@link CdpRelay}.
 *
 * <p>Refused before any lease is looked at: a request with an {@code Origin} header (403: a web page in a
 * local browser must not drive a lease), and one whose {@code Host} is not a loopback name (403: DNS
 * rebinding). An unknown, expired or malformed token gets 404.
 */
final class EndpointHandler extends SimpleChannelInboundHandler<Object> {
  private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);
  private static final String PREFIX = "/devtools/browser/";
  private static final String VERSION = "/json/version";

  private final EndpointServer server;
  private WebSocketServerHandshaker handshaker;
  private CdpRelay relay;
  private LeaseEndpoint lease;

  EndpointHandler(EndpointServer server) {
    this.server = server;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      onRequest(ctx, request);
    } else if (msg instanceof WebSocketFrame frame) {
      onFrame(ctx, frame);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request");
      return;
    }
    if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
      log.info("{}CDP endpoint refused a request with Origin {} (cross-site WebSocket hijacking guard)",
          server.logPrefix(), request.headers().get(HttpHeaderNames.ORIGIN));
      respond(ctx, HttpResponseStatus.FORBIDDEN, "text/plain",
          "browserpool: requests with an Origin header are refused: a web page may not drive a lease");
      return;
    }
    if (!loopbackHost(request.headers().get(HttpHeaderNames.HOST))) {
      respond(ctx, HttpResponseStatus.FORBIDDEN, "text/plain",
          "browserpool: the Host header must be 127.0.0.1, localhost or [::1]");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    if (!path.startsWith(PREFIX)) {
      notFound(ctx);
      return;
    }
    String rest = path.substring(PREFIX.length());
    boolean version = false;
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (rest.endsWith(VERSION)) {
      version = true;
      rest = rest.substring(0, rest.length() - VERSION.length());
    }
    LeaseEndpoint found = rest.contains("/") ? null : server.lookup(rest);
    if (found == null) {
      notFound(ctx);
      return;
    }
    if (version) {
      if (!HttpMethod.GET.equals(request.method())) {
        respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only");
        return;
      }
      answerVersion(ctx, found);
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain",
          "browserpool: this is a CDP WebSocket endpoint; connect with a WebSocket client");
      return;
    }
    if (found.relays.size() >= EndpointServer.MAX_CLIENTS_PER_LEASE) {
      log.info("{}CDP endpoint of {} refused a client: it has {} already (the limit)", server.logPrefix(),
          found.scope.describe(), EndpointServer.MAX_CLIENTS_PER_LEASE);
      respond(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "text/plain", "browserpool: " + found.scope.describe()
          + " has " + EndpointServer.MAX_CLIENTS_PER_LEASE + " CDP clients already (the limit); close one first");
      return;
    }
    if (server.clientCount() >= EndpointServer.MAX_CLIENTS_PER_POOL) {
      log.info("{}CDP endpoint refused a client of {}: the pool has {} clients already (the limit)",
          server.logPrefix(), found.scope.describe(), EndpointServer.MAX_CLIENTS_PER_POOL);
      respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "browserpool: the pool has "
          + EndpointServer.MAX_CLIENTS_PER_POOL + " CDP clients already (the limit); close one first");
      return;
    }
    WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(EndpointServer.MAX_CLIENT_MESSAGE_BYTES)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .build();
    WebSocketServerHandshaker shaker =
        new WebSocketServerHandshakerFactory(found.uri.toString(), null, config).newHandshaker(request);
    if (shaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker = shaker;
    lease = found;
    relay = new CdpRelay(found, ctx.channel());
    found.relays.add(relay); // counts against the limits from now on (handshakes run one at a time here)
    shaker.handshake(ctx.channel(), request).addListener(f -> {
      if (f.isSuccess()) {
        relay.start();
      } else {
        relay.end(1011, "browserpool: handshake failed", false);
        ctx.close();
      }
    });
    ctx.pipeline().addBefore(ctx.name(), "ws-aggregate",
        new WebSocketFrameAggregator(EndpointServer.MAX_CLIENT_MESSAGE_BYTES));
  }

  /** Answers {@code /json/version} from the browser's own; the pipe is written on a writer thread. */
  private void answerVersion(ChannelHandlerContext ctx, LeaseEndpoint found) {
    CompletableFuture<JsonNode> version = new CompletableFuture<>();
    try {
      server.writers().execute(() -> found.connection()
          .sendUnlessBusy("Browser.getVersion", null, PipeConnection.POOL_WRITE_WAIT)
          .whenComplete((v, e) -> {
            if (e != null) {
              version.completeExceptionally(e);
            } else {
              version.complete(v);
            }
          }));
    } catch (RejectedExecutionException e) {
      version.completeExceptionally(e);
    }
    version.orTimeout(server.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((v, failure) -> CdpRelay.onLoop(ctx.channel(), () -> {
      if (failure != null) {
        respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "browserpool: the browser did not answer");
        return;
      }
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("Browser", v.path("product").asText());
      body.put("Protocol-Version", v.path("protocolVersion").asText());
      body.put("User-Agent", v.path("userAgent").asText());
      body.put("V8-Version", v.path("jsVersion").asText());
      body.put("WebKit-Version", webKit(v));
      body.put("webSocketDebuggerUrl", found.uri.toString());
      respond(ctx, HttpResponseStatus.OK, "application/json; charset=UTF-8", body.toPrettyString());
    }));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (relay != null && ctx.channel().isWritable()) {
      relay.writable();
    }
    super.channelWritabilityChanged(ctx);
  }

  private static String webKit(JsonNode version) {
    String revision = version.path("revision").asText("");
    return "537.36 (" + revision + ")";
  }

  private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame text) {
      relay.onClientText(text.text());
    } else if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      handshaker.close(ctx.channel(), (CloseWebSocketFrame) frame.retain());
    } else if (frame instanceof BinaryWebSocketFrame) {
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
          "browserpool: CDP is text; binary frames are not accepted")).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (relay != null) {
      relay.clientGone();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String who = lease != null ? lease.scope.describe() : "an unknown lease";
    if (cause instanceof TooLongFrameException || cause instanceof CorruptedWebSocketFrameException c
        && c.closeStatus() != null && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
      log.warn("{}a CDP client of {} sent a message over {} bytes; closed it with 1009 (nothing reached the"
          + " browser)", server.logPrefix(), who, EndpointServer.MAX_CLIENT_MESSAGE_BYTES);
      if (relay != null) {
        relay.end(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
            "browserpool: message over " + EndpointServer.MAX_CLIENT_MESSAGE_BYTES + " bytes", true);
      }
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
          "browserpool: message over " + EndpointServer.MAX_CLIENT_MESSAGE_BYTES + " bytes"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    log.debug("{}CDP endpoint connection of {} failed: {}", server.logPrefix(), who, cause.toString());
    ctx.close();
  }

  private void notFound(ChannelHandlerContext ctx) {
    respond(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "browserpool: unknown or expired endpoint");
  }

  private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  static boolean loopbackHost(String host) {
    if (host == null) {
      return true; // HTTP/1.0 clients may omit it; the socket is loopback-only anyway
    }
    String name = host;
    if (name.startsWith("[")) {
      int end = name.indexOf(']');
      name = end > 0 ? name.substring(1, end) : name;
    } else {
      int colon = name.lastIndexOf(':');
      name = colon >= 0 ? name.substring(0, colon) : name;
    }
    return name.equals("127.0.0.1") || name.equalsIgnoreCase("localhost") || name.equals("::1");
  }
}
