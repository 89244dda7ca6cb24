#include "builder/run_heredoc.h"

#include "builder/config_steps.h"
#include "core/error.h"
#include "dockerfile-parser/heredoc.h"

namespace builder {

namespace {

std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

/// The shell command that runs `file` (starting with `#!`) the way the
/// kernel would run it as a script: interpreter, its one optional argument,
/// then the script's path (here the heredoc on fd 3).
std::string shebang_command(const dockerfile::InlineFile& file) {
  size_t end = file.data.find('\n');
  std::string line = file.data.substr(2, end == std::string::npos ? std::string::npos : end - 2);
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos) {
    throw core::InputError("RUN <<" + file.name + ": the #! line names no interpreter");
  }
  size_t stop = line.find_first_of(" \t", start);
  std::string command = single_quoted(line.substr(start, stop - start));
  if (stop != std::string::npos) {
    size_t arg_start = line.find_first_not_of(" \t", stop);
    size_t arg_end = line.find_last_not_of(" \t\r");
    if (arg_start != std::string::npos) {
      command += " " + single_quoted(line.substr(arg_start, arg_end + 1 - arg_start));
    }
  }
  std::string body = file.data;
  if (!body.empty() && !body.ends_with("\n")) {
    body += "\n";
  }
  return command + " /dev/fd/3 3<<'" + file.name + "'\n" + body + file.name;
}

} // namespace

bool is_lone_heredoc_marker(const std::string& line, const dockerfile::InlineFile& file) {
  if (!line.starts_with("<<")) {
    return false;
  }
  size_t i = 2;
  if (i < line.size() && line[i] == '-') {
    ++i;
  }
  std::string rest = line.substr(line.find_first_not_of(" \t", i) == std::string::npos
                                     ? line.size()
                                     : line.find_first_not_of(" \t", i));
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) {
    rest.pop_back();
  }
  return rest == file.name || rest == "\"" + file.name + "\"" || rest == "'" + file.name + "'";
}

std::vector<std::string> heredoc_run_argv(const dockerfile::CommandLine& command,
                                          const core::ImageConfig& config) {
  if (!command.shell_form || command.args.size() != 1) {
    throw core::InputError("RUN with a heredoc needs the shell form (`RUN <<EOF`, "
                           "`RUN python3 <<EOF`), not the exec form");
  }
  std::vector<std::string> argv = stage_shell(config);
  const std::string& line = command.args.front();
  const dockerfile::InlineFile& first = command.files.front();
  if (is_lone_heredoc_marker(line, first)) {
    // Alone, the body is the script: `<<-` strips its leading tabs here.
    dockerfile::InlineFile body = first;
    if (body.chomp) {
      body.data = dockerfile::chomp_heredoc(body.data);
    }
    argv.push_back(body.data.starts_with("#!") ? shebang_command(body) : body.data);
    return argv;
  }
  std::string script = line;
  for (const dockerfile::InlineFile& file : command.files) {
    script += "\n" + file.data + file.name;
  }
  argv.push_back(script);
  return argv;
}

} // namespace builder
