//! Demo data set: a Barber category, three Nairobi-area providers with prices,
//! a customer with a completed, reviewed booking. Loading it twice changes nothing.

use frontline_platform::auth::{NewUser, Principal, User};
use frontline_platform::write::WriteCtx;
use frontline_platform::{ApiResult, Platform, RequestMeta};
use rusqlite::Connection;
use serde_json::json;

use crate::model::*;
use crate::service::{bookings, pricing, reviews};

/// Password of the demo accounts (`*.demo@marketplace.local`).
pub const DEMO_PASSWORD: &str = "demo-password-2026";
const CUSTOMER: &str = "customer.demo@marketplace.local";

fn user(
    platform: &Platform,
    tx: &Connection,
    email: &str,
    name: &str,
    role: &str,
) -> ApiResult<Principal> {
    let u: User = platform.auth.create_user_in(
        tx,
        &NewUser {
            email: email.into(),
            password: DEMO_PASSWORD.into(),
            name: name.into(),
            roles: vec![format!("marketplace:{role}")],
            organization: None,
        },
    )?;
    Ok(Principal::acting_as(&u))
}

pub fn load(platform: &Platform) -> ApiResult<()> {
    let p = platform.clone();
    platform.db.write_blocking(move |tx| {
        if crate::store::profiles::user_email_taken(tx, CUSTOMER)? {
            return Ok(());
        }
        let meta = RequestMeta { request_id: "demo".into(), ..Default::default() };
        let admin = Principal { id: "demo".into(), seq: 0, email: String::new(), name: "Demo".into(),
            roles: vec!["marketplace:admin".into()], token_id: String::new(), token_expires_at: 0 };
        let cat = bookings::create_category(&WriteCtx::new(tx, Some(&admin), &meta), &CategoryInput { name: NonBlank::new("Barber").expect("a constant name"), description: Some("Haircuts and grooming".into()) })?;
        let cat = cat.service_category_id;
        let shops = [
            ("john.demo@marketplace.local", "John's Barbershop", [36.8219, -1.2864], "Ngong Road", 500.0),
            ("westlands.demo@marketplace.local", "Westlands Cuts", [36.8030, -1.2650], "Waiyaki Way", 650.0),
            ("karen.demo@marketplace.local", "Karen Grooming", [36.7073, -1.3197], "Karen Road", 400.0),
        ];
        let mut first = None;
        for (email, name, coords, street, price) in shops {
            let prov = user(&p, tx, email, name, "provider")?;
            bookings::upsert_provider(&WriteCtx::new(tx, Some(&prov), &meta), &ProviderProfileInput {
                name: Some(NonBlank::new(name).expect("a constant name")),
                profile_image: None,
                location: Some(PricingLocation {
                    coordinates: Some(coords.to_vec()),
                    address: Some(Address { street: Some(street.into()), city: Some("Nairobi".into()), postal_code: None }),
                    service_radius: Some(10.0),
                }),
            })?;
            let input: PricingInput = serde_json::from_value(json!({
                "serviceCategoryId": cat, "serviceName": "Men's Haircut", "pricingType": "flat", "flatRate": price,
                "currency": "KES", "location": {"coordinates": coords, "serviceRadius": 10},
                "dynamicPricing": {"enabled": true, "rushFee": 20, "weekendFee": 15, "travelFee": 100},
                "discounts": {"newCustomerDiscount": 10}
            }))?;
            let out = pricing::create(&WriteCtx::new(tx, Some(&prov), &meta), input)?;
            if first.is_none() {
                first = Some((prov, out.pricing_id));
            }
        }
        let Some((prov, pricing_id)) = first else { return Ok(()) };
        let cust = user(&p, tx, CUSTOMER, "Muent Kamau", "customer")?;
        let b = bookings::create_booking(&WriteCtx::new(tx, Some(&cust), &meta), &BookingInput {
            service_pricing_id: pricing_id, service_date: DateOrTime("2026-01-15T14:00:00Z".into()), duration: Some(45), incentive_code: None,
        })?;
        let booking = b.booking_id;
        bookings::set_status(&WriteCtx::new(tx, Some(&prov), &meta), &booking, "completed")?;
        let r = reviews::submit(&WriteCtx::new(tx, Some(&cust), &meta), &ReviewInput {
            booking_id: booking, overall_rating: 5,
            category_ratings: Some(CategoryRatings { punctuality: Some(5), quality: Some(5), professionalism: Some(4), ..Default::default() }),
            title: Some("Excellent service!".into()), comment: Some("Very professional and skilled barber.".into()),
            pros: Some(vec!["On time".into(), "Great haircut".into()]), photos: None, source: Some(ReviewSource::MobileApp),
        })?;
        reviews::respond(&WriteCtx::new(tx, Some(&prov), &meta), &r.review_id, "Thank you so much! Looking forward to seeing you again.")?;
        Ok(())
    })
}
