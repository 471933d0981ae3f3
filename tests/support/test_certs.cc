#include "tests/support/test_certs.h"

#include "common/strings.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace portico::testing {

namespace {

// Runs openssl with `args` to completion (bounded); an error carries its output.
absl::Status openssl(const std::string& dir, const std::vector<std::string>& args) {
  const std::string log = cat(dir, "/openssl.log");
  auto process = Process::start("/usr/bin/openssl", args, log);
  if (!process.ok()) return process.status();
  if (!waitUntil([&] { return !(*process)->running(); }, absl::Seconds(30))) {
    return absl::DeadlineExceededError("openssl did not finish within 30 s");
  }
  const int status = (*process)->stop();
  if (status != 0) {
    return absl::InternalError(cat("openssl ", args.front(), " failed (status ", status, "):\n",
                                   (*process)->logTail()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CertFiles> makeCa(const std::string& dir, const std::string& name) {
  CertFiles out{cat(dir, "/", name, ".crt"), cat(dir, "/", name, ".key")};
  absl::Status status = openssl(
      dir, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            out.key, "-out", out.cert, "-days", "2", "-subj", cat("/CN=", name), "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<CertFiles> makeCert(const std::string& dir, const std::string& name, const CertFiles& ca,
                                   const std::string& san, CertUsage usage) {
  CertFiles out{cat(dir, "/", name, ".crt"), cat(dir, "/", name, ".key")};
  const std::string csr = cat(dir, "/", name, ".csr");
  const std::string extensions = cat(dir, "/", name, ".ext");
  writeFile(extensions, cat("basicConstraints=CA:FALSE\n", "keyUsage=critical,digitalSignature\n",
                            "extendedKeyUsage=", usage == CertUsage::kServer ? "serverAuth" : "clientAuth", "\n",
                            "subjectAltName=", san, "\n"));
  absl::Status status =
      openssl(dir, {"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    out.key, "-out", csr, "-subj", cat("/CN=", name)});
  if (!status.ok()) return status;
  status = openssl(dir, {"x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out",
                         out.cert, "-days", "2", "-extfile", extensions});
  if (!status.ok()) return status;
  return out;
}

}  // namespace portico::testing
