//! "Three random words" passphrases (NCSC guidance), drawn from the EFF long wordlist
//! (7,776 words; published by the Electronic Frontier Foundation under CC BY 3.0).

use diceware_wordlists::EFF_LONG_WORDLIST;
use rand::Rng;

/// Suggests a passphrase of `words` words joined by hyphens, long enough to meet
/// [`crate::password::MIN_CHARS`] (short draws are drawn again). The caller supplies the random
/// number generator (a cryptographically secure one in production).
pub fn suggest<R: Rng + ?Sized>(rng: &mut R, words: usize) -> String {
    loop {
        let phrase = (0..words)
            .map(|_| EFF_LONG_WORDLIST[rng.gen_range(0..EFF_LONG_WORDLIST.len())])
            .collect::<Vec<_>>()
            .join("-");
        if phrase.chars().count() >= crate::password::MIN_CHARS {
            return phrase;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn suggestions_are_three_listed_words_and_vary() {
        let mut rng = StdRng::seed_from_u64(7);
        let a = suggest(&mut rng, 3);
        let b = suggest(&mut rng, 3);
        assert_eq!(a.split('-').count(), 3);
        assert!(a.split('-').all(|w| EFF_LONG_WORDLIST.contains(&w)));
        assert_ne!(a, b);
        assert_eq!(EFF_LONG_WORDLIST.len(), 7776);
    }

    #[test]
    fn suggestions_pass_the_password_rules() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..20 {
            let p = suggest(&mut rng, 3);
            assert_eq!(crate::password::check_new_password(&p, &[]), Ok(()), "{p}");
        }
    }
}
