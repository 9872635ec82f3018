package tidewater.conformance;

import java.util.HashMap;
import java.util.Map;

/** `--name value` pairs; a missing required one ends the program with a usage message. */
final class Arguments {
    private final String program;
    private final Map<String, String> values = new HashMap<>();

    private Arguments(String program) {
        this.program = program;
    }

    static Arguments parse(String program, String[] args) {
        Arguments arguments = new Arguments(program);
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(program + ": expected --name value pairs, got " + args[i]);
            }
            arguments.values.put(args[i].substring(2), args[i + 1]);
        }
        return arguments;
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(program + ": --" + name + " is required");
        }
        return value;
    }

    String optional(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    long number(String name) {
        return Long.parseLong(required(name));
    }
}
