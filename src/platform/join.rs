//! Waiting for several futures at once, on one thread: the panel's contact, notes, tasks and appointments are
//! fetched in one parallel round trip. (A few lines here instead of the `futures` crate, for wasm size.)

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

/// Runs both futures concurrently and returns both outputs.
pub async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    poll_fn(|context| {
        if out_a.is_none() {
            if let Poll::Ready(value) = a.as_mut().poll(context) {
                out_a = Some(value);
            }
        }
        if out_b.is_none() {
            if let Poll::Ready(value) = b.as_mut().poll(context) {
                out_b = Some(value);
            }
        }
        if out_a.is_some() && out_b.is_some() {
            Poll::Ready((out_a.take().expect("checked"), out_b.take().expect("checked")))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Runs every future concurrently and returns their outputs in order (a client page's contacts are matched in
/// one round, not one after another).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|context| {
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                if let Poll::Ready(value) = future.as_mut().poll(context) {
                    *output = Some(value);
                }
            }
        }
        if outputs.iter().all(Option::is_some) {
            Poll::Ready(outputs.iter_mut().map(|output| output.take().expect("checked")).collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn both_run_before_either_finishes() {
        let order = RefCell::new(Vec::new());
        let step = |name: &'static str| {
            let order = &order;
            async move {
                order.borrow_mut().push(name);
                // Yield once, so a sequential runner would finish `a` before starting `b`.
                let mut yielded = false;
                poll_fn(|cx| {
                    if yielded {
                        Poll::Ready(())
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                })
                .await;
                order.borrow_mut().push(name);
                name.len()
            }
        };
        let joined = join(step("a"), step("bb"));
        let mut joined = pin!(joined);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let result = loop {
            if let Poll::Ready(result) = joined.as_mut().poll(&mut context) {
                break result;
            }
        };
        assert_eq!(result, (1, 2));
        assert_eq!(*order.borrow(), ["a", "bb", "a", "bb"]);
    }
}
