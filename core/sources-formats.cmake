# core, "formats" area: content store, OCI types, image layout and archive formats.
target_sources(cbuild_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/archive_index.cpp
  ${CMAKE_CURRENT_LIST_DIR}/archive_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/content_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/docker_archive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/docker_archive_writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_util.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/image_source.cpp
  ${CMAKE_CURRENT_LIST_DIR}/json_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/media_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_archive.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_layout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_types.cpp
  ${CMAKE_CURRENT_LIST_DIR}/verified_reader.cpp
)
