// Efficiency findings: each waste pair, leftover group and duplicate becomes a
// named finding with a message that says which layers and what to do.
#include "analyzer/analysis.h"

namespace analyzer {
namespace {

std::string instruction_at(const ImageInfo& info, std::uint32_t layer) {
  if (layer < info.layers.size())
    return instruction_of(info.layers[layer].created_by);
  return {};
}

bool mentions(const std::string& text, std::string_view word) {
  return text.find(word) != std::string::npos;
}

std::string advice_for_pair(const ImageInfo& info, const WastePair& pair) {
  std::string hider = instruction_at(info, pair.hidden_by_layer);
  std::string writer = instruction_at(info, pair.written_layer);
  bool writer_is_copy = writer.starts_with("COPY") || writer.starts_with("ADD");
  if (pair.kind == WasteKind::rewritten) {
    if (mentions(hider, "chown") && writer_is_copy)
      return "use COPY --chown in layer " + std::to_string(pair.written_layer) +
             " instead of a separate chown";
    if (mentions(hider, "chmod") && writer_is_copy)
      return "use COPY --chmod in layer " + std::to_string(pair.written_layer) +
             " instead of a separate chmod";
    if (mentions(hider, "chown") || mentions(hider, "chmod"))
      return "change ownership/mode in the RUN of layer " + std::to_string(pair.written_layer) +
             " that writes the files";
    return std::string(find_rule("efficiency/rewritten-files")->fix);
  }
  if (pair.kind == WasteKind::deleted) {
    if (pair.written_layer == pair.hidden_by_layer)
      return "the layer ships two copies of a path; write it once";
    return "delete the files in the same RUN as layer " + std::to_string(pair.written_layer) +
           ", or copy only what is needed from a build stage";
  }
  return std::string(find_rule("efficiency/replaced-files")->fix);
}

Finding pair_finding(const ImageInfo& info, const WastePair& pair) {
  static const char* const k_rule[] = {"efficiency/rewritten-files", "efficiency/replaced-files",
                                       "efficiency/deleted-files"};
  static const char* const k_verb[] = {"rewrote identical copies of", "replaced", "deleted"};
  auto kind = static_cast<std::size_t>(pair.kind);
  Finding finding;
  finding.rule_id = k_rule[kind];
  finding.severity = find_rule(finding.rule_id)->severity;
  finding.message = describe_layer(info, pair.hidden_by_layer) + " " + k_verb[kind] + " " +
                    human_bytes(pair.bytes) + " (" + std::to_string(pair.files) +
                    (pair.files == 1 ? " file" : " files") + ") written by " +
                    describe_layer(info, pair.written_layer) + "; the old bytes still ship";
  finding.advice = advice_for_pair(info, pair);
  finding.layer = pair.hidden_by_layer;
  finding.path = pair.examples.empty() ? std::string() : pair.examples.front();
  finding.bytes = pair.bytes;
  set_fingerprint(finding, instruction_at(info, pair.written_layer) + "\n" +
                               instruction_at(info, pair.hidden_by_layer) + "\n" + finding.path);
  return finding;
}

Finding leftover_finding(const ImageInfo& info, const Leftover& leftover) {
  const LeftoverCategory* category = leftover_category(leftover.example.substr(1));
  Finding finding;
  finding.rule_id =
      leftover.category == "tmp" ? "efficiency/temp-files" : "efficiency/package-cache";
  finding.severity = find_rule(finding.rule_id)->severity;
  finding.message = describe_layer(info, leftover.layer) + " left " + human_bytes(leftover.bytes) +
                    " of " + (category ? category->what : leftover.category.c_str()) + " (" +
                    std::to_string(leftover.files) +
                    (leftover.files == 1 ? " file, e.g. " : " files, e.g. ") + leftover.example +
                    ")" +
                    (leftover.still_visible ? "" : "; deleted later, but the bytes still ship");
  finding.advice = category ? category->advice : std::string();
  finding.layer = leftover.layer;
  finding.path = leftover.example;
  finding.bytes = leftover.bytes;
  set_fingerprint(finding, leftover.category + "\n" + instruction_at(info, leftover.layer));
  return finding;
}

Finding duplicate_finding(const Image& image, const DuplicateContent& dup) {
  const FileEntry& first = image.layers[dup.copies[0].layer].entries[dup.copies[0].entry];
  std::string where;
  for (std::size_t i = 0; i < dup.copies.size() && i < 4; ++i) {
    const VersionRef& copy = dup.copies[i];
    where += (i ? ", " : "") + std::string("/") +
             image.layers[copy.layer].entries[copy.entry].path + " (layer " +
             std::to_string(copy.layer) + ")";
  }
  if (dup.copies.size() > 4)
    where += ", ...";
  Finding finding;
  finding.rule_id = "efficiency/duplicate-content";
  finding.severity = find_rule(finding.rule_id)->severity;
  finding.message = "the same " + human_bytes(dup.size) + " of content ships " +
                    std::to_string(dup.copies.size()) + " times: " + where;
  finding.advice = std::string(find_rule(finding.rule_id)->fix);
  finding.layer = dup.copies.back().layer;
  finding.path = "/" + first.path;
  finding.bytes = dup.extra_bytes();
  set_fingerprint(finding, to_hex(dup.hash));
  return finding;
}

} // namespace

std::vector<Finding> efficiency_findings(const Image& image, const LayerWalk& walk,
                                         const Waste& waste) {
  std::vector<Finding> findings;
  for (const WastePair& pair : waste.pairs)
    findings.push_back(pair_finding(image.info, pair));
  for (const Leftover& leftover : waste.leftovers) {
    if (leftover.bytes > 0)
      findings.push_back(leftover_finding(image.info, leftover));
  }
  for (const DuplicateContent& dup : waste.duplicates)
    findings.push_back(duplicate_finding(image, dup));
  for (const VersionRef& ref : walk.dangling_whiteouts) {
    Finding finding;
    finding.rule_id = "image/dangling-whiteout";
    finding.severity = find_rule(finding.rule_id)->severity;
    finding.path = "/" + image.layers[ref.layer].entries[ref.entry].path;
    finding.message = describe_layer(image.info, ref.layer) + " has a whiteout for " +
                      finding.path + ", which no lower layer contains";
    finding.advice = std::string(find_rule(finding.rule_id)->fix);
    finding.layer = ref.layer;
    set_fingerprint(finding, finding.path);
    findings.push_back(std::move(finding));
  }
  return findings;
}

} // namespace analyzer
