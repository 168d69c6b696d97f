//! The voicemail inbox's types, as the document names them.

use poem_openapi::Object;

use super::{DialledNumber, VoicemailStatusText};
use crate::common::DateOrTime;

/// A voicemail.
#[derive(Object, Clone, Debug)]
pub struct Voicemail {
    pub id: i64,
    pub from_number: String,
    pub to_number: String,
    /// Seconds.
    pub duration: i64,
    /// new, listened, in_progress, completed or archived.
    pub status: String,
    pub message_url: Option<String>,
    pub transcription: Option<String>,
    pub received_at: String,
    pub assigned_to_id: Option<i64>,
    /// 1 (highest) to 10, default 5.
    pub priority: i64,
    pub notes: Option<String>,
    pub queue_id: Option<i64>,
    pub status_changed_at: Option<String>,
    pub completed_at: Option<String>,
    pub updated_at: String,
}

/// Changes to a voicemail. Status moves new → listened → in_progress →
/// completed → archived (completed may be reopened to in_progress, archived
/// restored to new); other moves answer 409.
#[derive(Object, Debug)]
pub struct VoicemailUpdate {
    pub status: Option<VoicemailStatusText>,
    #[oai(validator(minimum(value = "1")))]
    pub assigned_to_id: Option<i64>,
    #[oai(validator(max_length = 5000))]
    pub notes: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
}

/// Extension: a voicemail left by a caller.
#[derive(Object, Debug)]
pub struct VoicemailDeposit {
    pub from_number: DialledNumber,
    pub to_number: DialledNumber,
    /// Seconds, 0..=3600.
    #[oai(validator(minimum(value = "0"), maximum(value = "3600")))]
    pub duration: i64,
    /// Where the audio is kept.
    pub message_url: Option<String>,
    pub transcription: Option<String>,
    /// When the caller left it: a date (midnight UTC) or an RFC 3339
    /// timestamp. Default now.
    pub received_at: Option<DateOrTime>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10")))]
    pub priority: Option<i64>,
    #[oai(validator(minimum(value = "1")))]
    pub assigned_to_id: Option<i64>,
    pub queue_id: Option<i64>,
}

/// A voicemail to store: a deposit's fields, or what an IVR voicemail node
/// hands over (its caller may be `anonymous`, which no deposit may say).
#[derive(Debug, Clone, Copy)]
pub struct NewVoicemail<'a> {
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub duration: i64,
    pub message_url: Option<&'a str>,
    pub transcription: Option<&'a str>,
    pub received_at: Option<&'a str>,
    pub priority: Option<i64>,
    pub assigned_to_id: Option<i64>,
    pub queue_id: Option<i64>,
}

impl VoicemailDeposit {
    /// The voicemail this deposit stores.
    pub fn as_new(&self) -> NewVoicemail<'_> {
        NewVoicemail {
            from_number: &self.from_number,
            to_number: &self.to_number,
            duration: self.duration,
            message_url: self.message_url.as_deref(),
            transcription: self.transcription.as_deref(),
            received_at: self.received_at.as_deref(),
            priority: self.priority,
            assigned_to_id: self.assigned_to_id,
            queue_id: self.queue_id,
        }
    }
}

/// The filters of the voicemail list (texts as stored; dates as stored instants).
#[derive(Debug, Clone, Default)]
pub struct VoicemailQuery {
    pub status: Option<String>,
    pub assigned_to_id: Option<i64>,
    pub priority: Option<i64>,
    pub from_number: Option<String>,
    pub received_from: Option<String>,
    pub received_before: Option<String>,
}
