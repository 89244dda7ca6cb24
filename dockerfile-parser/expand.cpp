#include "dockerfile-parser/expand.h"

#include <algorithm>

namespace dockerfile {

namespace {

/// Expands `field` in place; records the first error.
bool expand_in_place(std::string& field, const Env& env, const ShellLex& lex, std::string& error) {
  ExpandResult r = lex.expand_word(field, env);
  if (!r.ok) {
    error = r.error;
    return false;
  }
  field = std::move(r.word);
  return true;
}

bool expand_all(std::vector<std::string>& fields, const Env& env, const ShellLex& lex,
                std::string& error) {
  return std::all_of(fields.begin(), fields.end(),
                     [&](std::string& f) { return expand_in_place(f, env, lex, error); });
}

bool expand_pairs(std::vector<KeyValue>& pairs, const Env& env, const ShellLex& lex,
                  std::string& error) {
  return std::all_of(pairs.begin(), pairs.end(), [&](KeyValue& kv) {
    return expand_in_place(kv.key, env, lex, error) && expand_in_place(kv.value, env, lex, error);
  });
}

/// Heredoc bodies keep their quotes and escapes; only variables expand.
bool expand_inline(std::vector<InlineFile>& files, const Env& env, const ShellLex& lex,
                   std::string& error) {
  ShellLexOptions raw = lex.options();
  raw.no_quote_processing = true;
  raw.raw_escapes = true;
  const ShellLex raw_lex(raw);
  return std::all_of(files.begin(), files.end(), [&](InlineFile& f) {
    return !f.expand || expand_in_place(f.data, env, raw_lex, error);
  });
}

bool expand_files(SourcesAndDest& files, const Env& env, const ShellLex& lex, std::string& error) {
  return expand_in_place(files.chown, env, lex, error) &&
         expand_in_place(files.chmod, env, lex, error) &&
         expand_all(files.sources, env, lex, error) &&
         expand_in_place(files.dest, env, lex, error) &&
         expand_all(files.excludes, env, lex, error) &&
         expand_inline(files.inline_sources, env, lex, error);
}

/// The visitor that applies Docker's per-instruction expansion rules.
struct Expander {
  const Env& env;
  const ShellLex& lex;
  std::string& error;

  bool operator()(EnvInstruction& i) const { return expand_pairs(i.vars, env, lex, error); }
  bool operator()(LabelInstruction& i) const { return expand_pairs(i.labels, env, lex, error); }
  bool operator()(ArgInstruction& i) const {
    return std::all_of(i.args.begin(), i.args.end(), [&](ArgDefinition& a) {
      return expand_in_place(a.key, env, lex, error) &&
             (!a.default_value || expand_in_place(*a.default_value, env, lex, error));
    });
  }
  bool operator()(WorkdirInstruction& i) const { return expand_in_place(i.path, env, lex, error); }
  bool operator()(UserInstruction& i) const { return expand_in_place(i.user, env, lex, error); }
  bool operator()(StopsignalInstruction& i) const {
    return expand_in_place(i.signal, env, lex, error);
  }
  bool operator()(VolumeInstruction& i) const { return expand_all(i.volumes, env, lex, error); }
  bool operator()(ExposeInstruction& i) const {
    std::vector<std::string> ports;
    for (const std::string& p : i.ports) {
      ExpandResult r = lex.expand_words(p, env);
      if (!r.ok) {
        error = r.error;
        return false;
      }
      ports.insert(ports.end(), r.words.begin(), r.words.end());
    }
    i.ports = std::move(ports);
    return true;
  }
  bool operator()(CopyInstruction& i) const {
    return expand_in_place(i.from, env, lex, error) && expand_files(i.files, env, lex, error);
  }
  bool operator()(AddInstruction& i) const {
    return expand_in_place(i.checksum, env, lex, error) && expand_files(i.files, env, lex, error);
  }
  bool operator()(RunInstruction& i) const { return expand_all(i.mounts, env, lex, error); }
  template <class T> bool operator()(T&) const { return true; }
};

} // namespace

std::string Platform::to_string() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) {
    out += "/" + variant;
  }
  return out;
}

std::optional<Platform> Platform::parse(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 ||
      std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return std::nullopt;
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
}

const std::vector<std::string_view>& predefined_proxy_args() {
  static const std::vector<std::string_view> k_args = {
      "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
      "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};
  return k_args;
}

Env platform_args(const Platform& build, const Platform& target) {
  Env env;
  env.set("BUILDPLATFORM", build.to_string());
  env.set("BUILDOS", build.os);
  env.set("BUILDARCH", build.architecture);
  env.set("BUILDVARIANT", build.variant);
  env.set("TARGETPLATFORM", target.to_string());
  env.set("TARGETOS", target.os);
  env.set("TARGETARCH", target.architecture);
  env.set("TARGETVARIANT", target.variant);
  return env;
}

Env global_scope(const std::vector<ArgInstruction>& global_args, const ArgInputs& inputs,
                 const ShellLex& lex, std::vector<std::string>& errors) {
  Env scope = inputs.platform;
  for (const ArgInstruction& arg : global_args) {
    for (const ArgDefinition& def : arg.args) {
      if (auto given = inputs.build_args.get(def.key)) {
        scope.set(def.key, *given);
      } else if (def.default_value) {
        ExpandResult r = lex.expand_word(*def.default_value, scope);
        if (!r.ok) {
          errors.push_back(r.error);
          continue;
        }
        scope.set(def.key, r.word);
      }
    }
  }
  return scope;
}

std::string declare_stage_args(const ArgInstruction& arg, const ArgInputs& inputs,
                               const Env& global, const Env& stage_env, Env& stage_args,
                               const ShellLex& lex) {
  for (const ArgDefinition& def : arg.args) {
    if (auto given = inputs.build_args.get(def.key)) {
      stage_args.set(def.key, *given);
    } else if (def.default_value) {
      ExpandResult r = lex.expand_word(*def.default_value, stage_env);
      if (!r.ok) {
        return r.error;
      }
      stage_args.set(def.key, r.word);
    } else if (auto inherited = global.get(def.key)) {
      stage_args.set(def.key, *inherited);
    } else if (auto platform = inputs.platform.get(def.key)) {
      stage_args.set(def.key, *platform);
    }
  }
  return {};
}

ExpandedFrom expand_from(const Stage& stage, const Env& global, const ShellLex& lex,
                         std::string& error) {
  ExpandedFrom out{stage.base_name, stage.platform};
  if (expand_in_place(out.base_name, global, lex, error)) {
    expand_in_place(out.platform, global, lex, error);
  }
  return out;
}

std::string expand_instruction(Instruction& instruction, const Env& env, const ShellLex& lex) {
  std::string error;
  std::visit(Expander{env, lex, error}, instruction.body);
  return error;
}

} // namespace dockerfile
