#include "builder/build_output.h"

#include "core/docker_archive.h"
#include "core/error.h"
#include "core/image_export.h"
#include "core/layer_apply.h"
#include "core/layer_writer.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"
#include "core/stream.h"
#include "core/temp_dir.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::optional<OutputSpec::Type> parse_type(const std::string& text) {
  static const std::map<std::string, OutputSpec::Type> types = {
      {"oci", OutputSpec::Type::oci},
      {"oci-layout", OutputSpec::Type::oci_layout},
      {"docker", OutputSpec::Type::docker},
      {"local", OutputSpec::Type::local},
      {"tar", OutputSpec::Type::tar}};
  auto it = types.find(text);
  return it == types.end() ? std::nullopt : std::optional(it->second);
}

/// key=value fields; a value may hold commas when quoted as docker's CSV does.
std::vector<std::pair<std::string, std::string>> split_fields(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string field;
  bool quoted = false;
  auto push = [&] {
    size_t eq = field.find('=');
    if (eq == std::string::npos) {
      throw core::InputError("-o '" + text + "': '" + field + "' is not KEY=VALUE");
    }
    out.emplace_back(field.substr(0, eq), field.substr(eq + 1));
    field.clear();
  };
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      push();
    } else {
      field += c;
    }
  }
  push();
  return out;
}

/// Copies `file` to stdout.
void copy_to_stdout(const fs::path& file) {
  core::FdInputStream in = core::FdInputStream::open(file);
  core::FdOutputStream out(core::UniqueFd(::dup(STDOUT_FILENO)), "stdout");
  char buffer[65536];
  for (size_t n; (n = in.read(buffer, sizeof buffer)) > 0;) {
    out.write(buffer, n);
  }
}

/// The image's file system: its layers applied in order onto `dir`.
void unpack(const registry::ImageStore& store, const registry::ImageData& image,
            const fs::path& dir) {
  for (const core::Descriptor& layer : image.manifest.layers) {
    std::unique_ptr<core::InputStream> blob = store.blobs().open(layer.digest);
    core::apply_layer(*blob, dir, "layer " + layer.digest.str());
  }
}

/// `tree` as an uncompressed tar at `file`, written under a temp name and
/// renamed, so a failure leaves no half file.
void write_tar_of(const fs::path& tree, const fs::path& file) {
  fs::path temp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  try {
    core::UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) {
      core::throw_errno("create", temp.string());
    }
    core::FdOutputStream out(std::move(fd), temp.string());
    core::LayerWriter writer(out, {.compression = core::Compression::none,
                                   .compress = {},
                                   .source_date_epoch = std::nullopt});
    writer.add_tree(tree);
    writer.finish();
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    ::unlink(temp.c_str());
    core::throw_errno("rename to", file.string());
  }
}

void write_file_output(const registry::ImageStore& store, const registry::ImageData& image,
                       const OutputSpec& spec, const std::vector<std::string>& names,
                       const fs::path& file) {
  if (spec.type == OutputSpec::Type::tar) {
    core::TempDir tree(file.parent_path(), ".cbuild-output-");
    unpack(store, image, tree.path());
    write_tar_of(tree.path(), file);
    return;
  }
  core::ExportImage export_image{.manifest_bytes = image.manifest_bytes, .names = names};
  core::BlobOpener blobs = core::blobs_from_store(store.blobs());
  if (spec.type == OutputSpec::Type::oci) {
    core::write_oci_archive(file, {export_image}, blobs);
  } else {
    core::write_docker_archive(file, {export_image}, blobs);
  }
}

} // namespace

OutputSpec parse_output(const std::string& text) {
  if (text == "-") {
    return {.type = OutputSpec::Type::tar, .dest = "-", .names = {}};
  }
  if (text.find('=') == std::string::npos) {
    if (text.empty()) {
      throw core::InputError("-o: empty destination");
    }
    return {.type = OutputSpec::Type::local, .dest = text, .names = {}};
  }
  OutputSpec spec;
  bool typed = false;
  std::optional<bool> tar;
  for (const auto& [key, value] : split_fields(text)) {
    if (key == "type") {
      auto type = parse_type(value);
      if (!type) {
        throw core::InputError("-o '" + text +
                               "': type must be oci, oci-layout, docker, local or tar");
      }
      spec.type = *type;
      typed = true;
    } else if (key == "dest") {
      spec.dest = value;
    } else if (key == "name") {
      spec.names.push_back(value);
    } else if (key == "tar") {
      if (value != "true" && value != "false") {
        throw core::InputError("-o '" + text + "': tar= must be true or false");
      }
      tar = value == "true";
    } else {
      throw core::InputError("-o '" + text + "': unknown key '" + key +
                             "' (type, dest, name, tar)");
    }
  }
  if (!typed) {
    throw core::InputError("-o '" + text +
                           "': missing type= (oci, oci-layout, docker, local or tar)");
  }
  if (tar) {
    if (spec.type != OutputSpec::Type::oci && spec.type != OutputSpec::Type::oci_layout) {
      throw core::InputError("-o '" + text + "': tar= only applies to type=oci");
    }
    spec.type = *tar ? OutputSpec::Type::oci : OutputSpec::Type::oci_layout;
  }
  if (spec.dest.empty()) {
    throw core::InputError("-o '" + text + "': missing dest=");
  }
  if (spec.type == OutputSpec::Type::local && spec.dest == "-") {
    throw core::InputError("-o '" + text + "': type=local needs a directory, not stdout");
  }
  if (spec.type == OutputSpec::Type::oci_layout && spec.dest == "-") {
    throw core::InputError("-o '" + text + "': an OCI layout is a directory, not stdout");
  }
  return spec;
}

void write_output(const registry::ImageStore& store, const core::Descriptor& manifest,
                  const OutputSpec& spec, const std::vector<std::string>& tags) {
  registry::ImageData image = store.read(manifest);
  if (spec.type == OutputSpec::Type::local) {
    fs::create_directories(spec.dest);
    unpack(store, image, spec.dest);
    return;
  }
  std::vector<std::string> names = spec.names.empty() ? tags : spec.names;
  if (spec.type == OutputSpec::Type::oci_layout) {
    // Blobs first, index.json last: an interrupted write leaves the layout's
    // previous images (if any) intact and usable.
    core::write_oci_layout(fs::absolute(spec.dest),
                           {core::ExportImage{.manifest_bytes = image.manifest_bytes, .names = names}},
                           core::blobs_from_store(store.blobs()));
    return;
  }
  if (spec.dest != "-") {
    write_file_output(store, image, spec, names, fs::absolute(spec.dest));
    return;
  }
  core::TempDir temp(store.root() / "snapshots" / ".tmp", "output-");
  fs::path file = temp.path() / "out.tar";
  write_file_output(store, image, spec, names, file);
  copy_to_stdout(file);
}

} // namespace builder
