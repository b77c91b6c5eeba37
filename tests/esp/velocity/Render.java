// Renders Velocity exports with Apache Velocity itself (1.7, as Debian packages it and as Marketo
// runs it) and Velocity Tools' EscapeTool as `$esc`, for tests/export.rs.
//
// Reads one JSON document on standard input:
//   {"templates": {"name": "source", ...}, "cases": [{"template": "name", "data": {...}}, ...]}
// and prints a JSON array with one entry per case: {"ok": "rendered text"} or {"error": "message"}.
// JSON objects become maps, arrays lists, integers Long, other numbers Double (as Marketo hands
// its fields to Velocity, the export's data holds text). References are strict: a reference to a
// field the data lacks is an error, not silence (the export's data holds every field it reads).
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.tools.generic.EscapeTool;

public final class Render {
    private final String s;
    private int i;

    private Render(String s) {
        this.s = s;
    }

    public static void main(String[] args) throws Exception {
        InputStream in = System.in;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        Object input = new Render(buf.toString(StandardCharsets.UTF_8)).value();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) input;
        @SuppressWarnings("unchecked")
        Map<String, Object> templates = (Map<String, Object>) doc.get("templates");
        @SuppressWarnings("unchecked")
        List<Object> cases = (List<Object>) doc.get("cases");

        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        engine.setProperty("runtime.references.strict", "true");
        engine.init();
        StringBuilder out = new StringBuilder("[");
        EscapeTool esc = new EscapeTool();
        for (int k = 0; k < cases.size(); k++) {
            if (k > 0) {
                out.append(',');
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) cases.get(k);
            String name = (String) c.get("template");
            Object source = templates.get(name);
            if (!(source instanceof String)) {
                out.append("{\"error\":").append(quote("no template " + name)).append('}');
                continue;
            }
            VelocityContext ctx = new VelocityContext();
            Object data = c.get("data");
            if (data instanceof Map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) data;
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    ctx.put(e.getKey(), e.getValue());
                }
            }
            ctx.put("esc", esc);
            try {
                StringWriter w = new StringWriter();
                engine.evaluate(ctx, w, name, (String) source);
                out.append("{\"ok\":").append(quote(w.toString())).append('}');
            } catch (Exception e) {
                out.append("{\"error\":").append(quote(e.getClass().getSimpleName() + ": " + e.getMessage())).append('}');
            }
        }
        out.append(']');
        System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    private static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (int k = 0; k < v.length(); k++) {
            char ch = v.charAt(k);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
            }
        }
        return b.append('"').toString();
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private Object value() {
        ws();
        char c = s.charAt(i);
        switch (c) {
            case '{': {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    i++; // ':'
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') {
                        return m;
                    }
                }
            }
            case '[': {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            case '"':
                return string();
            case 't':
                i += 4;
                return Boolean.TRUE;
            case 'f':
                i += 5;
                return Boolean.FALSE;
            case 'n':
                i += 4;
                return null;
            default: {
                int start = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                String n = s.substring(start, i);
                if (n.matches("-?[0-9]+")) {
                    return Long.valueOf(n);
                }
                return Double.valueOf(n);
            }
        }
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        i++; // opening quote
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n': b.append('\n'); break;
                case 't': b.append('\t'); break;
                case 'r': b.append('\r'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'u':
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default: b.append(e);
            }
        }
    }
}
