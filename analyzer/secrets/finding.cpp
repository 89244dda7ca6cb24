#include "analyzer/secrets/finding.h"

#include "core/digest.h"

#include <array>
#include <cmath>

namespace secrets {

std::string_view origin_name(Origin origin) {
  switch (origin) {
  case Origin::file: return "file";
  case Origin::config: return "config";
  case Origin::history: return "history";
  }
  return "file";
}

double shannon_entropy(std::string_view text) {
  if (text.empty()) {
    return 0;
  }
  std::array<size_t, 256> counts{};
  for (unsigned char c : text) {
    ++counts[c];
  }
  double entropy = 0;
  const double total = static_cast<double>(text.size());
  for (size_t count : counts) {
    if (count != 0) {
      double p = static_cast<double>(count) / total;
      entropy -= p * std::log2(p);
    }
  }
  return entropy;
}

std::string redact_secret(std::string_view secret) {
  size_t keep = std::min<size_t>(4, secret.size() / 4);
  return std::string(secret.substr(0, keep)) + "*****";
}

std::string redact_match(std::string_view match, std::string_view secret) {
  std::string masked;
  if (secret.empty()) {
    masked = redact_secret(match);
  } else {
    const std::string replacement = redact_secret(secret);
    size_t pos = 0;
    while (pos <= match.size()) {
      size_t hit = match.find(secret, pos);
      if (hit == std::string_view::npos) {
        masked.append(match.substr(pos));
        break;
      }
      masked.append(match.substr(pos, hit - pos));
      masked.append(replacement);
      pos = hit + secret.size();
    }
  }
  // One line, bounded: PEM blocks and long URLs would swamp a report.
  std::string line;
  for (char c : masked) {
    line.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    if (line.size() >= 100) {
      line += "...";
      break;
    }
  }
  return line;
}

namespace {

std::string location_key(const Location& location) {
  switch (location.origin) {
  case Origin::file: return location.path;
  case Origin::config: return "config:" + location.field + ":" + location.key;
  case Origin::history: return "history:" + location.key;
  }
  return location.path;
}

} // namespace

std::string fingerprint(std::string_view rule_id, std::string_view secret,
                        const Location& location) {
  core::Sha256 hasher;
  hasher.update(rule_id);
  hasher.update("\0", 1);
  hasher.update(secret);
  hasher.update("\0", 1);
  hasher.update(location_key(location));
  return std::string(hasher.finish().hex());
}

std::string describe_location(const Location& location) {
  switch (location.origin) {
  case Origin::file: {
    std::string text = location.path;
    if (location.line != 0) {
      text += ":" + std::to_string(location.line);
    } else if (location.in_binary) {
      text += " (binary strings)";
    }
    if (location.layer_index >= 0) {
      text += " in layer " + std::to_string(location.layer_index);
    }
    return text;
  }
  case Origin::config:
    return "config " + location.field + (location.key.empty() ? "" : " " + location.key);
  case Origin::history: {
    std::string text = "history #" + std::to_string(location.history_index);
    if (!location.key.empty()) {
      text += " build-arg/variable " + location.key;
    }
    return text;
  }
  }
  return location.path;
}

} // namespace secrets
