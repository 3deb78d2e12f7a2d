//! One long-lived thread that forks every sandboxed child.
//!
//! The parent-death signal fires when the *thread* that forked the child ends, not the
//! process: a child forked on one of Tokio's blocking threads would be killed when that
//! thread retires after a few idle seconds, in the middle of its run. So children are forked
//! on this thread, which lives as long as the process.

use std::io;
use std::sync::OnceLock;
use std::sync::mpsc;

use tokio::process::{Child, Command};

type Job = Box<dyn FnOnce() + Send>;

/// Spawns `command` on the spawning thread, registering the child with the current Tokio
/// runtime.
pub(super) async fn spawn(mut command: Command) -> io::Result<Child> {
    let runtime = tokio::runtime::Handle::current();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _entered = runtime.enter();
        let _ = sender.send(command.spawn());
        // `command` (with the parent's copies of the child's descriptors) drops here.
    });
    thread()?
        .send(job)
        .map_err(|_| io::Error::other("the sandbox's spawning thread is gone"))?;
    receiver
        .await
        .map_err(|_| io::Error::other("the sandbox's spawning thread dropped a request"))?
}

/// The spawning thread's queue, the thread started on first use.
fn thread() -> io::Result<&'static mpsc::Sender<Job>> {
    static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    if let Some(queue) = QUEUE.get() {
        return Ok(queue);
    }
    let (sender, receiver) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("mcp-sandbox-spawn".to_owned())
        .spawn(move || {
            for job in receiver {
                job();
            }
        })?;
    // Two first uses at once start two threads; one queue wins, the other thread ends when
    // its sender drops.
    Ok(QUEUE.get_or_init(|| sender))
}
