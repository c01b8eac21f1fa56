//! How an outreach worker tried to reach a household: the channel and the part of the
//! day of a contact attempt, as stored (`phone`, `morning`).

/// The channel of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Letter,
    Phone,
    HomeVisit,
    Email,
    TextMessage,
    Card,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Channel::Letter, Channel::Phone, Channel::HomeVisit, Channel::Email, Channel::TextMessage, Channel::Card];

    /// The code in the API, the forms and the database.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Letter => "letter",
            Channel::Phone => "phone",
            Channel::HomeVisit => "home_visit",
            Channel::Email => "email",
            Channel::TextMessage => "text_message",
            Channel::Card => "card",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code.trim())
    }
}

/// The part of the day of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartOfDay {
    Morning,
    Afternoon,
    Evening,
}

impl PartOfDay {
    pub const ALL: [PartOfDay; 3] = [PartOfDay::Morning, PartOfDay::Afternoon, PartOfDay::Evening];

    pub fn code(self) -> &'static str {
        match self {
            PartOfDay::Morning => "morning",
            PartOfDay::Afternoon => "afternoon",
            PartOfDay::Evening => "evening",
        }
    }

    pub fn parse(code: &str) -> Option<PartOfDay> {
        PartOfDay::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// The part of the day of a local clock hour (0–23): before 12:00 morning, from 12:00
    /// to 18:00 afternoon, from 18:00 evening (the DDAS EnumDagdeel's boundaries).
    pub fn of_hour(hour: u32) -> PartOfDay {
        match hour {
            0..=11 => PartOfDay::Morning,
            12..=17 => PartOfDay::Afternoon,
            _ => PartOfDay::Evening,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        for p in PartOfDay::ALL {
            assert_eq!(PartOfDay::parse(p.code()), Some(p));
        }
        assert_eq!(Channel::parse("pigeon"), None);
        assert_eq!(
            [0, 11, 12, 17, 18, 23].map(PartOfDay::of_hour),
            [
                PartOfDay::Morning,
                PartOfDay::Morning,
                PartOfDay::Afternoon,
                PartOfDay::Afternoon,
                PartOfDay::Evening,
                PartOfDay::Evening
            ]
        );
    }
}
