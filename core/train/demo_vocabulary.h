#pragma once
// The words of the built-in demo (train/demo_assets.h): its tokenizer has one token per word, its
// base model is pre-trained on lines made of them, and the demo task asks about them.
#include <string>
#include <vector>

namespace capsule::train::demo {

inline const std::vector<std::string>& positiveAdjectives() {
    static const std::vector<std::string> words = {"great",     "wonderful", "excellent",  "lovely",    "superb",
                                                   "pleasant",  "fantastic", "delightful", "brilliant", "charming"};
    return words;
}

inline const std::vector<std::string>& negativeAdjectives() {
    static const std::vector<std::string> words = {"awful", "terrible", "horrible", "dreadful", "boring",
                                                   "bad",   "poor",     "dull",     "nasty",    "disappointing"};
    return words;
}

inline const std::vector<std::string>& nouns() {
    static const std::vector<std::string> words = {"movie", "meal", "book", "hotel",   "concert", "trip",
                                                   "game",  "show", "service", "song", "room",    "class"};
    return words;
}

/// Words that pad the start of a pre-training line, so the cue works at any position (prompt
/// methods put their virtual tokens in front of the text).
inline const std::vector<std::string>& fillerWords() {
    static const std::vector<std::string> words = {"it", "and", "very", "review", "."};
    return words;
}

/// Every other word: articles, the label words and the two cues of the pre-training lines.
inline const std::vector<std::string>& otherWords() {
    static const std::vector<std::string> words = {"the", "was", "positive", "negative", "review", "it",
                                                   "and", "very", "sentiment", "opposite", ":", "."};
    return words;
}

}  // namespace capsule::train::demo
