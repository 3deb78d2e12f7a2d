//! `files::FileRoot`: round trips, every way out of the root refused (string escapes, symlinks
//! out, a symlink swapped while reads run), modes of new files, read-only roots, the size cap,
//! a tool taking the root as a parameter, and a resource taking a `{+path}` variable as a
//! `RelativePath`.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::support::temp::TempDir;
use mcp_runtime::files::{FileError, FileRoot, RelativePath};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn files_round_trip_beneath_the_root() {
    let dir = TempDir::new("round-trip");
    let root = FileRoot::open(dir.path()).unwrap();

    root.create_dir_all("notes/2024").await.unwrap();
    root.write("notes/2024/today.md", "# Today").await.unwrap();
    root.write("top.bin", [0u8, 1, 2, 255]).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/2024/today.md")).unwrap(),
        "# Today"
    );
    assert_eq!(
        root.read_to_string("notes/2024/today.md").await.unwrap(),
        "# Today"
    );
    assert_eq!(root.read("./top.bin").await.unwrap(), [0, 1, 2, 255]);

    // Writing again replaces the contents.
    root.write("notes/2024/today.md", "short").await.unwrap();
    assert_eq!(
        root.read_to_string("notes/2024/today.md").await.unwrap(),
        "short"
    );

    let listed = root.list("").await.unwrap();
    let names: Vec<_> = listed
        .iter()
        .map(|e| (e.name.as_str(), e.is_dir, e.size))
        .collect();
    assert_eq!(names, [("notes", true, 0), ("top.bin", false, 4)]);
    assert_eq!(root.list(".").await.unwrap(), listed);
    assert_eq!(root.list("notes/2024").await.unwrap()[0].name, "today.md");

    let metadata = root.metadata("notes/2024/today.md").await.unwrap();
    assert_eq!((metadata.size, metadata.is_dir), (5, false));
    assert!(metadata.modified.is_some());
    assert!(root.metadata("notes").await.unwrap().is_dir);

    root.remove("notes/2024/today.md").await.unwrap();
    assert!(
        root.read("notes/2024/today.md")
            .await
            .unwrap_err()
            .is_not_found()
    );
    root.remove("notes/2024").await.unwrap();
    assert!(!dir.path().join("notes/2024").exists());
    assert!(root.metadata("missing").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn paths_naming_the_outside_are_refused_before_anything_happens() {
    let parent = TempDir::new("escapes");
    let inner = parent.path().join("root");
    std::fs::create_dir(&inner).unwrap();
    let root = FileRoot::open(&inner).unwrap();

    let cases = [
        ("../x", "`..`"),
        ("/etc/passwd", "absolute"),
        ("a/../../x", "`..`"),
        ("C:\\x", "drive"),
        ("\\\\server\\share", "UNC"),
        ("a\0b", "NUL"),
    ];
    for (path, reason) in cases {
        let errors = [
            root.read(path).await.unwrap_err(),
            root.write(path, "x").await.unwrap_err(),
            root.create_dir_all(path).await.unwrap_err(),
            root.list(path).await.unwrap_err(),
            root.metadata(path).await.unwrap_err(),
            root.remove(path).await.unwrap_err(),
        ];
        for error in errors {
            assert!(error.is_escape(), "{path:?}: {error}");
            let message = error.to_string();
            assert!(message.contains(reason), "{path:?}: {message}");
            // The message names the path as given, never where the root lives.
            assert!(!message.contains(&*inner.to_string_lossy()), "{message}");
        }
    }
    // Nothing was created beside the root, and the root is still empty.
    let beside: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
    assert_eq!(beside.len(), 1);
    assert_eq!(std::fs::read_dir(&inner).unwrap().count(), 0);
}

#[tokio::test]
async fn a_symlink_out_of_the_root_is_an_escape_for_reads_and_writes() {
    let outside = TempDir::new("outside");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "top secret").unwrap();
    let dir = TempDir::new("symlink-out");
    symlink(&secret, dir.path().join("link")).unwrap();
    symlink(outside.path(), dir.path().join("out")).unwrap();
    symlink("../../", dir.path().join("up")).unwrap();
    let root = FileRoot::open(dir.path()).unwrap();

    for path in ["link", "out/secret.txt", "up"] {
        let error = root.read(path).await.unwrap_err();
        assert!(error.is_escape(), "read {path}: {error}");
        let error = root.write(path, "overwritten").await.unwrap_err();
        assert!(error.is_escape(), "write {path}: {error}");
        let error = root.metadata(path).await.unwrap_err();
        assert!(error.is_escape(), "metadata {path}: {error}");
    }
    let error = root.write("out/new.txt", "x").await.unwrap_err();
    assert!(error.is_escape(), "{error}");
    let error = root.create_dir_all("out/sub").await.unwrap_err();
    assert!(error.is_escape(), "{error}");
    let error = root.list("out").await.unwrap_err();
    assert!(error.is_escape(), "{error}");

    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "top secret");
    assert!(!outside.path().join("new.txt").exists());
    assert!(!outside.path().join("sub").exists());

    // Removing the link removes the link, not what it points to.
    root.remove("link").await.unwrap();
    assert!(secret.exists());
}

#[tokio::test]
async fn a_symlink_that_stays_inside_the_root_works() {
    let dir = TempDir::new("symlink-in");
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::write(dir.path().join("real/a.txt"), "inside").unwrap();
    symlink("real/a.txt", dir.path().join("alias")).unwrap();
    symlink("real", dir.path().join("folder")).unwrap();
    let root = FileRoot::open(dir.path()).unwrap();

    assert_eq!(root.read_to_string("alias").await.unwrap(), "inside");
    assert_eq!(root.read_to_string("folder/a.txt").await.unwrap(), "inside");
    root.write("alias", "changed").await.unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/a.txt")).unwrap(),
        "changed"
    );
}

#[tokio::test]
async fn a_symlink_swapped_while_reads_run_never_leaks_the_outside() {
    let outside = TempDir::new("swap-outside");
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    let dir = TempDir::new("swap");
    std::fs::write(dir.path().join("safe.txt"), "safe").unwrap();
    let link = dir.path().join("link");
    symlink("safe.txt", &link).unwrap();
    let root = FileRoot::open(dir.path()).unwrap();

    // Flip the link between a target inside and one outside, through a rename so the link
    // always exists, while reads run.
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let stop = stop.clone();
        let dir = dir.path().to_owned();
        let secret = outside.path().join("secret.txt");
        std::thread::spawn(move || {
            let mut out = false;
            while !stop.load(Ordering::Relaxed) {
                let staged = dir.join("staged");
                let _ = std::fs::remove_file(&staged);
                if out {
                    symlink("safe.txt", &staged).unwrap();
                } else {
                    symlink(&secret, &staged).unwrap();
                }
                std::fs::rename(&staged, dir.join("link")).unwrap();
                out = !out;
            }
        })
    };
    let (mut safe, mut refused) = (0, 0);
    for _ in 0..300 {
        match root.read_to_string("link").await {
            Ok(text) => {
                assert_eq!(text, "safe");
                safe += 1;
            }
            Err(error) => {
                assert!(error.is_escape(), "{error}");
                refused += 1;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    assert_eq!(safe + refused, 300);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
        "top secret"
    );
}

#[tokio::test]
async fn new_files_are_0600_and_new_directories_0700() {
    let dir = TempDir::new("modes");
    let root = FileRoot::open(dir.path()).unwrap();
    root.create_dir_all("a/b").await.unwrap();
    root.write("a/b/f.txt", "x").await.unwrap();
    assert_eq!(mode(&dir.path().join("a")), 0o700);
    assert_eq!(mode(&dir.path().join("a/b")), 0o700);
    assert_eq!(mode(&dir.path().join("a/b/f.txt")), 0o600);

    let shared = FileRoot::open(dir.path())
        .unwrap()
        .file_mode(0o640)
        .dir_mode(0o750);
    shared.create_dir_all("c").await.unwrap();
    shared.write("c/g.txt", "x").await.unwrap();
    assert_eq!(mode(&dir.path().join("c")), 0o750);
    assert_eq!(mode(&dir.path().join("c/g.txt")), 0o640);
}

#[tokio::test]
async fn a_read_only_root_refuses_every_change() {
    let dir = TempDir::new("read-only");
    std::fs::write(dir.path().join("kept.txt"), "kept").unwrap();
    let root = FileRoot::open(dir.path()).unwrap().read_only(true);
    assert!(root.is_read_only());

    for error in [
        root.write("kept.txt", "changed").await.unwrap_err(),
        root.write("new.txt", "new").await.unwrap_err(),
        root.remove("kept.txt").await.unwrap_err(),
        root.create_dir_all("sub").await.unwrap_err(),
    ] {
        assert!(matches!(error, FileError::ReadOnly { .. }), "{error}");
        assert!(error.to_string().contains("read-only"), "{error}");
    }
    assert_eq!(root.read_to_string("kept.txt").await.unwrap(), "kept");
    assert_eq!(root.list("").await.unwrap().len(), 1);
    assert!(!dir.path().join("new.txt").exists());
    assert!(!dir.path().join("sub").exists());
}

#[tokio::test]
async fn the_size_cap_refuses_large_reads_and_writes() {
    let dir = TempDir::new("size-cap");
    std::fs::write(dir.path().join("big.txt"), "x".repeat(11)).unwrap();
    let root = FileRoot::open(dir.path()).unwrap().max_file_size(10);
    assert_eq!(root.size_limit(), 10);

    let error = root.read("big.txt").await.unwrap_err();
    assert!(
        matches!(error, FileError::TooLarge { limit: 10, .. }),
        "{error}"
    );
    let error = root.write("new.txt", "y".repeat(11)).await.unwrap_err();
    assert!(
        matches!(error, FileError::TooLarge { limit: 10, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("10 bytes"), "{error}");
    assert!(!dir.path().join("new.txt").exists());

    root.write("ok.txt", "y".repeat(10)).await.unwrap();
    assert_eq!(root.read("ok.txt").await.unwrap().len(), 10);
}

#[tokio::test]
async fn directories_and_the_root_are_not_files() {
    let dir = TempDir::new("not-files");
    let root = FileRoot::open(dir.path()).unwrap();
    root.create_dir_all("sub").await.unwrap();
    root.write("sub/kept.txt", "x").await.unwrap();
    root.write("top.txt", "x").await.unwrap();
    let error = root.remove("sub").await.unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
    for error in [
        root.read("sub").await.unwrap_err(),
        root.write("sub", "x").await.unwrap_err(),
        root.write("", "x").await.unwrap_err(),
        root.remove("").await.unwrap_err(),
        root.remove(".").await.unwrap_err(),
        root.write("top.txt/below.txt", "x").await.unwrap_err(),
    ] {
        assert!(matches!(error, FileError::NotAFile { .. }), "{error}");
    }
    assert!(dir.path().join("sub").is_dir());
    assert!(dir.path().exists());
}

#[test]
fn opening_a_missing_root_fails() {
    let dir = TempDir::new("missing");
    let error = FileRoot::open(dir.path().join("nope")).unwrap_err();
    assert!(matches!(error, FileError::OpenRoot { .. }), "{error}");
}

/// Reads a file under the server's root.
#[tool]
async fn read_file(root: State<FileRoot>, path: String) -> Result<String, ToolError> {
    Ok(root.read_to_string(&path).await?)
}

/// Writes a file under the server's root.
#[tool]
async fn write_file(root: FileRoot, path: String, text: String) -> Result<String, ToolError> {
    root.write(&path, &text).await?;
    Ok(format!("wrote {} bytes", text.len()))
}

#[tokio::test]
async fn tools_take_the_root_from_state_and_refusals_reach_the_model() {
    let parent = TempDir::new("tool");
    std::fs::write(parent.path().join("secret"), "top secret").unwrap();
    let inner = parent.path().join("root");
    std::fs::create_dir(&inner).unwrap();
    let server = Server::builder("files")
        .state(FileRoot::open(&inner).unwrap())
        .tools(tools![read_file, write_file])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;

    let result = client
        .call_tool("write_file", json!({"path": "a.txt", "text": "hello"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    let result = client
        .call_tool("read_file", json!({"path": "a.txt"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "hello");

    let result = client
        .call_tool("read_file", json!({"path": "../secret"}))
        .await
        .unwrap();
    assert!(result.is_error());
    let text = result.text();
    assert!(text.contains("outside the directory"), "{text}");
    assert!(text.contains("`..`"), "{text}");
    assert!(!text.contains("top secret"), "{text}");

    let result = client
        .call_tool("write_file", json!({"path": "../secret", "text": "gotcha"}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert!(result.text().contains("outside the directory"));
    assert_eq!(
        std::fs::read_to_string(parent.path().join("secret")).unwrap(),
        "top secret"
    );

    let result = client
        .call_tool("read_file", json!({"path": "missing.txt"}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert!(
        result.text().contains("does not exist"),
        "{}",
        result.text()
    );
}

#[test]
fn a_server_without_a_root_does_not_build() {
    let error = Server::builder("files")
        .tools(tools![write_file])
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("FileRoot"), "{error}");
}

#[tokio::test]
async fn the_files_settings_give_the_server_its_root() {
    let dir = TempDir::new("settings");
    std::fs::write(dir.path().join("a.txt"), "from settings").unwrap();
    let mut settings = mcp_runtime::Settings::default();
    settings.files.root = Some(dir.path().to_owned());
    settings.files.read_only = true;
    let server = Server::builder("files")
        .tools(tools![write_file, read_file])
        .settings(settings.clone())
        .build()
        .expect("the settings give the root the tools need");
    let client = TestClient::new(server).await;
    let read = client
        .call_tool("read_file", json!({"path": "a.txt"}))
        .await
        .unwrap();
    assert_eq!(read.text(), "from settings");
    let write = client
        .call_tool("write_file", json!({"path": "b.txt", "text": "no"}))
        .await
        .unwrap();
    assert!(write.is_error(), "read_only from the settings");
    assert!(!dir.path().join("b.txt").exists());

    // A root that does not exist stops the build, naming the section.
    settings.files.root = Some(dir.path().join("missing"));
    let error = Server::builder("files")
        .tools(tools![read_file])
        .settings(settings)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("[files]"), "{error}");
}

// ---- `{+path}` resource variables as `RelativePath` --------------------------------------

/// How many reads reached the functions of one server.
#[derive(Clone, Default)]
struct Reads(Arc<AtomicUsize>);

/// A file beneath the root.
#[resource("files://{+path}")]
async fn file(
    root: FileRoot,
    reads: State<Reads>,
    path: RelativePath,
) -> Result<String, ResourceError> {
    reads.0.fetch_add(1, Ordering::SeqCst);
    Ok(root.read_to_string(&path).await?)
}

/// The same without the dispatcher's path-safety check: `RelativePath` alone stands guard.
#[resource("raw://{+path}", unchecked(path))]
async fn raw_file(
    root: State<FileRoot>,
    reads: State<Reads>,
    path: RelativePath,
) -> Result<String, ResourceError> {
    reads.0.fetch_add(1, Ordering::SeqCst);
    Ok(root.read_to_string(&path).await?)
}

/// A client of a server with [`file`] and [`raw_file`] over `dir`, which holds
/// `docs/2024/plan.md`, and the server's count of reads.
async fn files_client(dir: &TempDir) -> (TestClient, Reads) {
    let root = FileRoot::open(dir.path()).unwrap();
    root.create_dir_all("docs/2024").await.unwrap();
    root.write("docs/2024/plan.md", "# Plan").await.unwrap();
    let reads = Reads::default();
    let server = Server::builder("files")
        .state(root)
        .state(reads.clone())
        .resources(resources![file, raw_file])
        .build()
        .unwrap();
    (TestClient::new(server).await, reads)
}

#[tokio::test]
async fn a_relative_path_variable_reads_beneath_the_root() {
    let dir = TempDir::new("resource-read");
    let (client, _) = files_client(&dir).await;
    for uri in ["files://docs/2024/plan.md", "raw://docs/2024/plan.md"] {
        assert_eq!(client.read_text(uri).await.unwrap(), "# Plan", "{uri}");
    }
    // Percent-encoded separators are decoded before the check and the read.
    assert_eq!(
        client
            .read_text("files://docs%2F2024%2Fplan.md")
            .await
            .unwrap(),
        "# Plan"
    );
}

#[tokio::test]
async fn a_relative_path_refuses_escapes_as_invalid_params_before_the_function_runs() {
    let dir = TempDir::new("resource-refuse");
    let (client, reads) = files_client(&dir).await;
    // `raw://` skips the dispatcher's check: every refusal here is `RelativePath`'s own (and
    // so `FileRoot`'s: the same check), including the empty path the dispatcher lets through.
    for (uri, reason) in [
        ("raw://docs/../../etc/passwd", "contains a `..` segment"),
        ("raw://..%2F..%2Fetc%2Fpasswd", "contains a `..` segment"),
        ("raw://docs\\..\\..\\x", "contains a `..` segment"),
        ("raw:///etc/passwd", "is an absolute path"),
        ("raw://%2Fetc%2Fpasswd", "is an absolute path"),
        ("raw://C:%5Cwindows", "starts with a drive"),
        ("raw:////server/share", "is a UNC path"),
        ("raw://a%00b", "contains a NUL byte"),
        ("raw://", "is empty"),
        ("files://", "is empty"),
        ("files://docs/../../etc/passwd", "`..` segment"),
    ] {
        let error = client.read_text(uri).await.unwrap_err();
        assert_eq!(error.code(), Some(-32602), "`{uri}`: {error}");
        let message = error.message().unwrap();
        assert!(message.contains(reason), "`{uri}`: `{message}`");
        assert!(
            message.contains("`path`"),
            "`{uri}` names the variable: `{message}`"
        );
        assert!(
            !message.contains(dir.path().to_str().unwrap()),
            "`{uri}` shows the root: `{message}`"
        );
    }
    assert_eq!(
        reads.0.load(Ordering::SeqCst),
        0,
        "a refused path reached the function"
    );
}

#[tokio::test]
async fn file_errors_in_a_resource_are_split_as_in_a_tool() {
    let dir = TempDir::new("resource-errors");
    let outside = TempDir::new("resource-errors-outside");
    std::fs::write(outside.path().join("secret"), "top secret").unwrap();
    symlink(outside.path().join("secret"), dir.path().join("link")).unwrap();
    let (client, _) = files_client(&dir).await;
    // Internal errors stay masked (the default), but these are refusals the client reads.
    for (uri, says) in [
        ("files://docs/gone.md", "\"docs/gone.md\" does not exist"),
        ("files://docs", "is a directory"),
        ("files://link", "outside the directory this server may use"),
    ] {
        let error = client.read_text(uri).await.unwrap_err();
        assert_eq!(error.code(), Some(-32603), "`{uri}`: {error}");
        let message = error.message().unwrap();
        assert!(message.contains(says), "`{uri}`: `{message}`");
        assert!(!message.contains("internal error"), "`{uri}`: `{message}`");
        for host in [dir.path(), outside.path()] {
            assert!(!message.contains(host.to_str().unwrap()), "`{message}`");
        }
    }
}

#[tokio::test]
async fn a_relative_path_is_a_str_to_the_root() {
    let path: RelativePath = "notes/today.md".parse().unwrap();
    assert_eq!(&*path, "notes/today.md");
    assert_eq!(path.to_string(), "notes/today.md");
    assert!(RelativePath::new("../x").unwrap_err().is_escape());
    let empty = RelativePath::new("").unwrap_err();
    assert!(empty.to_string().contains("is empty"), "{empty}");
    // `FileRoot`'s methods take it through `Deref<Target = str>`.
    let dir = TempDir::new("relative-deref");
    let root = FileRoot::open(dir.path()).unwrap();
    root.create_dir_all("notes").await.unwrap();
    root.write(&path, "# Today").await.unwrap();
    assert_eq!(root.read_to_string(&path).await.unwrap(), "# Today");
}
