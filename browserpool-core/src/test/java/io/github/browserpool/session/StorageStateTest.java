package io.github.browserpool.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** StorageState: Playwright's format read and written back, and every way a state is refused. */
class StorageStateTest {
  private static final String SOURCE = "the state of session 'alice'";

  /** The shape Playwright's own tests write, IndexedDB included (value and valueEncoded, key and keyEncoded). */
  static final String PLAYWRIGHT = """
      {"cookies":[{"name":"sid","value":"s3cr3t","domain":"127.0.0.1","path":"/","expires":1893456000,
        "httpOnly":true,"secure":true,"sameSite":"Strict"},
        {"name":"session","value":"1","domain":".example.com","path":"/app","expires":-1,"httpOnly":false,
        "secure":false,"sameSite":"None","partitionKey":"https://top.example","_crHasCrossSiteAncestor":false}],
       "origins":[{"origin":"http://localhost:8080","localStorage":[{"name":"token","value":"t-1"}],
        "indexedDB":[{"name":"db","version":3,"stores":[
          {"name":"users","autoIncrement":false,"keyPath":"id","records":[{"value":{"id":1,"name":"a"}},
            {"valueEncoded":{"o":[{"k":"id","v":2},{"k":"at","v":{"d":"2024-01-02T03:04:05.000Z"}}],"id":1}}],
           "indexes":[{"name":"byName","keyPath":"name","multiEntry":false,"unique":true}]},
          {"name":"log","autoIncrement":true,"records":[{"key":1,"value":"x"},{"keyEncoded":{"d":"2024-01-01T00:00:00.000Z"},"value":2}],
           "indexes":[{"name":"multi","keyPathArray":["a","b"],"multiEntry":false,"unique":false}]}]}]},
        {"origin":"https://example.com","localStorage":[]}]}
      """;

  @Test
  void playwrightsShapeRoundTrips() {
    StorageState s = StorageState.parse(PLAYWRIGHT, SOURCE);
    assertThat(s.cookies()).hasSize(2);
    StorageState.Cookie sid = s.cookies().get(0);
    assertThat(sid).isEqualTo(new StorageState.Cookie("sid", "s3cr3t", "127.0.0.1", "/", 1893456000, true, true,
        "Strict", null, null));
    assertThat(s.cookies().get(1).session()).isTrue();
    assertThat(s.cookies().get(1).partitionKey()).isEqualTo("https://top.example");
    assertThat(s.cookies().get(1).crHasCrossSiteAncestor()).isFalse();
    assertThat(s.origins()).extracting(StorageState.Origin::origin)
        .containsExactly("http://localhost:8080", "https://example.com");
    assertThat(s.origins().get(0).localStorage()).containsExactly(new StorageState.Item("token", "t-1"));
    assertThat(s.origins().get(0).hasIndexedDb()).isTrue();
    assertThat(s.origins().get(1).hasIndexedDb()).isFalse();
    assertThat(s.hasIndexedDb()).isTrue();
    String json = s.toJson();
    assertThat(StorageState.parse(json, SOURCE)).isEqualTo(s);
    assertThat(json).contains("\"expires\":-1,").contains("\"expires\":1893456000,")
        .contains("{\"d\":\"2024-01-02T03:04:05.000Z\"}").doesNotContain("credentials");
    assertThat(s.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void theEmptyStateAndPartialStates() {
    assertThat(StorageState.empty().isEmpty()).isTrue();
    assertThat(StorageState.empty().toJson()).isEqualTo("{\"cookies\":[],\"origins\":[]}");
    assertThat(StorageState.parse("{\"cookies\":[],\"origins\":[]}", SOURCE)).isEqualTo(StorageState.empty());
    assertThat(StorageState.parse("{\"cookies\":[]}", SOURCE).isEmpty()).isTrue();
    StorageState c = StorageState.parse(
        "{\"cookies\":[{\"name\":\"a\",\"value\":\"\",\"domain\":\"x.test\",\"path\":\"/\"}]}", SOURCE);
    assertThat(c.cookies().get(0)).isEqualTo(new StorageState.Cookie("a", "", "x.test", "/", -1, false, false, "Lax",
        null, null));
    assertThat(c.isEmpty()).isFalse();
    assertThat(StorageState.parse(" {\"origins\":[{\"origin\":\"https://a.test:8443\",\"localStorage\":[]}]} ", SOURCE)
        .origins()).hasSize(1);
  }

  @Test
  void ofValidatesWhatACollectGives() {
    StorageState s = StorageState.of(List.of(new StorageState.Cookie("a", "b", "x.test", "/", 12.5, false, false,
        "Lax", null, null)), List.of(new StorageState.Origin("http://127.0.0.1:1", List.of(), null)), SOURCE);
    assertThat(s.cookies().get(0).expires()).isEqualTo(12.5);
    assertThatThrownBy(() -> StorageState.of(List.of(), List.of(new StorageState.Origin("file:///x", List.of(), null)),
        SOURCE)).isInstanceOf(SessionStateException.class).hasMessageContaining("origins[0].origin \"file:///x\"");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"cookies\":[],\"origins\":[]|is not valid JSON",
      "{\"cookies\":[],\"origins\":[]} {}|is not one JSON value",
      "[{\"name\":\"a\",\"value\":\"b\"}]|a bare cookie array is not a state",
      "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}|it has neither \"cookies\" nor \"origins\" (its fields are log)",
      "\"text\"|it is a string, not a storageState object",
      "{\"cookies\":{},\"origins\":[]}|\"cookies\" is an object, expected an array",
      "{\"cookies\":[],\"origins\":[],\"credentials\":[]}|a field \"credentials\" at the top level",
      "{\"cookies\":[1]}|cookies[0] is the number 1, expected an object",
      "{\"cookies\":[{\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\"}]}|cookies[0].name is missing, expected a string",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"\",\"path\":\"/\"}]}|cookies[0].domain is empty",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"app\"}]}|cookies[0].path is \"app\"",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"expires\":-2}]}|cookies[0].expires is -2, expected -1",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"expires\":253402300800}]}|cookies[0].expires is 253402300800",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"expires\":\"soon\"}]}|cookies[0].expires is a string",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"sameSite\":\"lax\"}]}|cookies[0].sameSite is \"lax\", expected Strict, Lax or None",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"httpOnly\":1}]}|cookies[0].httpOnly is the number 1, expected true or false",
      "{\"cookies\":[{\"name\":\"a\",\"value\":\"b\",\"domain\":\"x\",\"path\":\"/\",\"hostOnly\":true}]}|a field \"hostOnly\" at cookies[0]",
      "{\"origins\":[{\"origin\":\"file:///etc\",\"localStorage\":[]}]}|origins[0].origin \"file:///etc\" is not an http or https origin",
      "{\"origins\":[{\"origin\":\"chrome://settings\",\"localStorage\":[]}]}|is not an http or https origin",
      "{\"origins\":[{\"origin\":\"https://a.test/path\",\"localStorage\":[]}]}|is not an origin: expected scheme://host[:port]",
      "{\"origins\":[{\"origin\":\"https://A.test\",\"localStorage\":[]}]}|upper-case letters in its host",
      "{\"origins\":[{\"origin\":\"http://a b\",\"localStorage\":[]}]}|is not a URL",
      "{\"origins\":[{\"origin\":\"https://a.test\"},{\"origin\":\"https://a.test\"}]}|has origin https://a.test twice",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"localStorage\":[{\"name\":\"k\"}]}]}|origins[0].localStorage[0].value is missing",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"indexedDB\":[{\"name\":\"d\",\"version\":0,\"stores\":[]}]}]}|origins[0].indexedDB[0].version is the number 0",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"indexedDB\":[{\"name\":\"d\",\"version\":1}]}]}|it has no origins[0].indexedDB[0].stores",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"indexedDB\":[{\"name\":\"d\",\"version\":1,\"stores\":[{\"name\":\"s\",\"autoIncrement\":false,\"keyPath\":1,\"records\":[],\"indexes\":[]}]}]}]}|stores[0].keyPath is the number 1, expected a string",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"indexedDB\":[{\"name\":\"d\",\"version\":1,\"stores\":[{\"name\":\"s\",\"autoIncrement\":false,\"records\":[{\"blob\":1}],\"indexes\":[]}]}]}]}|a field \"blob\" at origins[0].indexedDB[0].stores[0].records[0]",
      "{\"origins\":[{\"origin\":\"https://a.test\",\"indexedDB\":[{\"name\":\"d\",\"version\":1,\"stores\":[{\"name\":\"s\",\"autoIncrement\":false,\"records\":[],\"indexes\":[{\"name\":\"i\",\"unique\":false}]}]}]}]}|indexes[0].multiEntry is missing, expected true or false",
      "{\"cookies\":[],\"cookies\":[]}|Duplicate field 'cookies'",
  })
  void everyRefusalNamesTheSourceWhatIsWrongAndWhatToDo(String json, String expected) {
    assertThatThrownBy(() -> StorageState.parse(json, SOURCE))
        .isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(SOURCE + " is not")
        .hasMessageContaining(expected)
        .hasMessageContaining("pool.invalidate(key)");
  }

  @Test
  void aStateOverTheLimitIsRefusedBeforeItIsParsed() {
    String big = "{\"cookies\":[],\"origins\":[],\"x\":\"" + "a".repeat(SessionStore.MAX_STATE_CHARS) + "\"}";
    long began = System.nanoTime();
    assertThatThrownBy(() -> StorageState.parse(big, SOURCE))
        .isInstanceOf(SessionStateException.class)
        .hasMessageContaining(SOURCE + " is " + big.length() + " characters long, over the limit of 33554432")
        .hasMessageContaining("pool.invalidate(key)");
    assertThat(System.nanoTime() - began).as("refused from its length alone").isLessThan(100_000_000L);
  }

  @Test
  void aStateJustUnderTheLimitWithOneLargeValueParses() {
    String value = "v".repeat(SessionStore.MAX_STATE_CHARS - 200);
    String json = "{\"origins\":[{\"origin\":\"https://a.test\",\"localStorage\":[{\"name\":\"k\",\"value\":\""
        + value + "\"}]}]}";
    assertThat(json.length()).isLessThanOrEqualTo(SessionStore.MAX_STATE_CHARS);
    assertThat(StorageState.parse(json, SOURCE).origins().get(0).localStorage().get(0).value()).hasSize(value.length());
  }
}
