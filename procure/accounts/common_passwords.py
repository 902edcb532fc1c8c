"""The most commonly used passwords and their stems, refused by the password policy.

A short list kept in the code (no network): the top of the public breach-corpus rankings
(NCSC's "100k most used passwords", SplashData's yearly lists). The policy compares it with the
password itself and with its stem (digits and symbols around it removed, common letter
substitutions undone), so "Password2024!" and "p@ssw0rd-1" are refused along with "password".
"""

COMMON_PASSWORDS = frozenset(
    ["123456", "123456789", "12345678", "12345", "1234567", "1234567890", "123456789012", "0123456789", "1234", "111111", "000000", "123123", "654321", "987654321", "123321", "121212", "112233", "666666", "696969", "555555", "7777777", "11111111", "159753", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx", "zaq12wsx", "zaq1zaq1", "qazwsx", "qweasdzxc", "qwe123", "abc123", "abcd1234", "qwerty", "qwertz", "azerty", "qwertyuiop", "asdfgh", "asdfghjkl", "asdf", "asdfasdf", "zxcvbn", "zxcvbnm", "abcdef", "abcdefg", "password", "passw", "passwd", "pass", "admin", "administrator", "root", "login", "welcome", "letmein", "changeme", "secret", "default", "guest", "user", "test", "testing", "trustno1", "trustno", "whatever", "access", "master", "iloveyou", "loveme", "love", "lovely", "sunshine", "princess", "dragon", "monkey", "football", "baseball", "basketball", "soccer", "hockey", "superman", "batman", "spiderman", "starwars", "pokemon", "shadow", "michael", "jennifer", "jessica", "ashley", "charlie", "daniel", "thomas", "robert", "jordan", "michelle", "nicole", "amanda", "matthew", "andrew", "joshua", "hunter", "buster", "tigger", "ginger", "pepper", "maggie", "cheese", "summer", "winter", "autumn", "spring", "freedom", "computer", "internet", "samsung", "google", "mustang", "harley", "ranger", "killer", "flower", "hello", "hellokitty", "family", "friends", "chocolate", "liverpool", "arsenal", "chelsea", "barcelona", "money", "qwerty123", "football1", "baseball1", "iloveyou1", "princess1", "welcome1", "password1", "abc"]
)
