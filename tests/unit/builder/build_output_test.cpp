#include "builder/build_output.h"
#include "core/error.h"

#include <catch2/catch.hpp>

using builder::OutputSpec;
using builder::parse_output;

TEST_CASE("build -o values as docker buildx writes them") {
  OutputSpec oci = parse_output("type=oci,dest=img.tar");
  CHECK(oci.type == OutputSpec::Type::oci);
  CHECK(oci.dest == "img.tar");
  OutputSpec docker = parse_output("type=docker,dest=img.tar,name=app:1");
  CHECK(docker.type == OutputSpec::Type::docker);
  CHECK(docker.names == std::vector<std::string>{"app:1"});
  OutputSpec quoted = parse_output("type=docker,\"name=a:1,b:2\",dest=x.tar");
  CHECK(quoted.names == std::vector<std::string>{"a:1,b:2"});
  CHECK(parse_output("type=local,dest=out").type == OutputSpec::Type::local);
  CHECK(parse_output("type=tar,dest=-").dest == "-");
  OutputSpec stdout_tar = parse_output("-");
  CHECK(stdout_tar.type == OutputSpec::Type::tar);
  CHECK(stdout_tar.dest == "-");
  OutputSpec layout = parse_output("type=oci-layout,dest=layout,name=app:2");
  CHECK(layout.type == OutputSpec::Type::oci_layout);
  CHECK(layout.names == std::vector<std::string>{"app:2"});
  CHECK(parse_output("type=oci,dest=layout,tar=false").type == OutputSpec::Type::oci_layout);
  CHECK(parse_output("type=oci,dest=img.tar,tar=true").type == OutputSpec::Type::oci);
  OutputSpec dir = parse_output("out/dir");
  CHECK(dir.type == OutputSpec::Type::local);
  CHECK(dir.dest == "out/dir");
}

TEST_CASE("bad -o values say what is wrong") {
  CHECK_THROWS_WITH(parse_output("type=zip,dest=x"), Catch::Contains("type must be"));
  CHECK_THROWS_WITH(parse_output("type=oci"), Catch::Contains("missing dest="));
  CHECK_THROWS_WITH(parse_output("dest=x"), Catch::Contains("missing type="));
  CHECK_THROWS_WITH(parse_output("type=oci,dest=x,compression=zstd"),
                    Catch::Contains("unknown key 'compression'"));
  CHECK_THROWS_WITH(parse_output("type=local,dest=-"), Catch::Contains("needs a directory"));
  CHECK_THROWS_AS(parse_output("type=oci,dest"), core::InputError);
  CHECK_THROWS_WITH(parse_output("type=oci-layout,dest=-"), Catch::Contains("not stdout"));
  CHECK_THROWS_WITH(parse_output("type=docker,dest=x,tar=false"),
                    Catch::Contains("tar= only applies to type=oci"));
  CHECK_THROWS_WITH(parse_output("type=oci,dest=x,tar=no"), Catch::Contains("true or false"));
}
