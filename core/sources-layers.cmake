# Layers area of core: compression, layer tar writer/reader/applier, whiteouts.
target_sources(cbuild_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/async_output.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compression.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gzip_codec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/zstd_codec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/path_util.cpp
  ${CMAKE_CURRENT_LIST_DIR}/whiteout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar_entry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layer_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/root_path.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layer_apply.cpp
)
