# core, "formats" area tests.
target_sources(core_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/content_store_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_types_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_layout_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/docker_archive_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/archive_index_test.cpp
)

# Interop with the peer tools (skopeo, umoci); exits 77 when they are absent.
add_executable(core_formats_interop ${CMAKE_CURRENT_LIST_DIR}/../../interop/formats_interop.cpp)
target_link_libraries(core_formats_interop PRIVATE cbuild_core)
add_test(NAME "core: formats interop (skopeo, umoci)" COMMAND core_formats_interop)
set_tests_properties("core: formats interop (skopeo, umoci)" PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "interop" TIMEOUT 120)

# Throughput of the image formats against skopeo (docs/benchmarks.md); not a test.
add_executable(formats_bench ${CMAKE_CURRENT_LIST_DIR}/../../bench/formats_bench.cpp)
target_link_libraries(formats_bench PRIVATE cbuild_core)
